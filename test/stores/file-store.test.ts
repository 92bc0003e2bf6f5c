import { after } from 'node:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreContract } from '../../src/testing/index.js'
import { FileStore } from '../../src/index.js'

const dirs: string[] = []
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

for (const fsync of [true, false]) {
  runStoreContract(`FileStore (fsync: ${fsync})`, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tuskit-store-'))
    dirs.push(directory)
    return new FileStore({ directory, fsync })
  })
}
