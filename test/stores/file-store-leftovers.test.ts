import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { FileStore, isTusError } from '../../src/index.js'
import { newUploadId } from '../../src/store.js'
import { waitFor } from '../helpers/requests.js'

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

test('a new FileStore removes temporary files over an hour old, of any layout, and only those', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-leftovers-'))
  try {
    const id = newUploadId()
    // An older version's random names and this one's fixed names, all two hours old.
    const old = [`${id}.json.0123456789ab.tmp`, `${id}.ba9876543210.tmp`, `${id}.json.tmp`]
    const young = `${id}.concat.tmp` // a concatenation in flight in another process, maybe
    const oldData = newUploadId() // not a temporary file: left to deleteExpired
    for (const name of [...old, young, oldData]) await writeFile(join(directory, name), 'x')
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000)
    for (const name of [...old, oldData]) await utimes(join(directory, name), hoursAgo, hoursAgo)

    new FileStore({ directory, fsync: false })
    const gone = async () => {
      const names = await readdir(directory)
      return old.every((name) => !names.includes(name))
    }
    await waitFor(gone, 10_000, 'the sweep at start')
    assert.deepEqual((await readdir(directory)).sort(), [young, oldData].sort())
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})

test('an info update or a concatenation replaces the temporary file a crash left', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-leftovers-'))
  try {
    const store = new FileStore({ directory, fsync: false })
    const deferred = newUploadId()
    await store.create({ id: deferred, size: undefined, metadata: {} })
    const part = newUploadId()
    await store.create({ id: part, size: 3, metadata: {}, concat: { kind: 'partial' } })
    const stored = await store.append(part, 0, Readable.from([Buffer.from('abc')]), {
      maxBytes: 3,
    })
    const final = newUploadId()
    await store.create({
      id: final,
      size: undefined,
      metadata: {},
      concat: { kind: 'final', parts: [part, part] },
    })
    // Longer than what replaces them: a leftover must be emptied, not overwritten in place.
    const junk = 'x'.repeat(4096)
    await writeFile(join(directory, `${deferred}.json.tmp`), junk)
    await writeFile(join(directory, `${final}.concat.tmp`), junk)
    await writeFile(join(directory, `${final}.json.tmp`), junk)

    assert.equal((await store.declareLength(deferred, 5)).size, 5)
    assert.equal((await store.concatenate(final, [stored, stored])).offset, 6)
    assert.equal(await readFile(join(directory, final), 'utf8'), 'abcabc')
    assert.equal(JSON.parse(await readFile(join(directory, `${final}.json`), 'utf8')).size, 6)
    // No temporary file is left; the deferred upload has no byte, so no data file.
    const expected = [`${deferred}.json`, part, `${part}.json`, final, `${final}.json`]
    assert.deepEqual((await readdir(directory)).sort(), expected.sort())
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})

test('one writer per upload: a length declared while the upload is being written is a 423', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-leftovers-'))
  try {
    const store = new FileStore({ directory, fsync: false })
    const id = newUploadId()
    await store.create({ id, size: undefined, metadata: {} })
    const body = new PassThrough()
    body.write('abc')
    const appending = store.append(id, 0, body, { maxBytes: 100 })
    // The append is under way once its first bytes are in the data file.
    const written = async () => (await stat(join(directory, id)).catch(() => undefined))?.size === 3
    await waitFor(written, 10_000, 'the first bytes to be written')
    await assert.rejects(store.declareLength(id, 10), (err: unknown) => {
      assert.ok(isTusError(err))
      assert.equal(err.status, 423)
      return true
    })
    body.end()
    assert.equal((await appending).offset, 3)
    assert.equal((await store.declareLength(id, 10)).size, 10, 'and fine once it is done')
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})
