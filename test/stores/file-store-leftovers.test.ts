import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileStore, newUploadId } from '../../src/index.js'

test('deleteExpired removes old crash leftovers and keeps fresh ones', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-leftovers-'))
  try {
    const store = new FileStore({ directory, fsync: false })
    const live = newUploadId()
    await store.create({ id: live, size: 10, metadata: {} })
    const orphan = newUploadId() // a data file whose info file a crash never wrote (or removed)
    const fresh = newUploadId() // the same, but young: a creation may be in flight
    const tmp = `${live}.json.abcdef.tmp` // an atomic write cut short
    for (const name of [orphan, fresh, tmp]) await writeFile(join(directory, name), 'x')
    const old = new Date(Date.now() - 3_600_000)
    await utimes(join(directory, orphan), old, old)
    await utimes(join(directory, tmp), old, old)

    await store.deleteExpired(new Date(Date.now() - 60_000))
    const left = (await readdir(directory)).sort()
    assert.deepEqual(left, [fresh, live, `${live}.json`].sort())
    assert.equal((await store.get(live)).offset, 0, 'a live upload is untouched')
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})
