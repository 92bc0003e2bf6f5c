import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { FileStore } from '../../src/index.js'
import { newUploadId } from '../../src/store.js'

test('deleteExpired removes old crash leftovers and keeps fresh ones', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-leftovers-'))
  try {
    const store = new FileStore({ directory, fsync: false })
    const live = newUploadId() // no byte stored yet: only its info file
    await store.create({ id: live, size: 10, metadata: {} })
    const started = newUploadId() // some bytes stored: its data file and its info file
    await store.create({ id: started, size: 10, metadata: {} })
    await store.append(started, 0, Readable.from([Buffer.from('abc')]), { maxBytes: 10 })
    const orphan = newUploadId() // a data file whose info file is gone (a DELETE cut short)
    const fresh = newUploadId() // the same, but young
    const tmp = `${live}.json.abcdef.tmp` // an atomic write cut short
    const freshTmp = `${live}.json.123456.tmp` // young: a creation may be in flight
    for (const name of [orphan, fresh, tmp, freshTmp]) await writeFile(join(directory, name), 'x')
    const old = new Date(Date.now() - 3_600_000)
    await utimes(join(directory, orphan), old, old)
    await utimes(join(directory, tmp), old, old)

    await store.deleteExpired(new Date(Date.now() - 60_000))
    const left = (await readdir(directory)).sort()
    assert.deepEqual(left, [fresh, freshTmp, `${live}.json`, started, `${started}.json`].sort())
    assert.equal((await store.get(live)).offset, 0, 'a live upload is untouched')
    assert.equal((await store.get(started)).offset, 3, 'a started upload is untouched')
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})
