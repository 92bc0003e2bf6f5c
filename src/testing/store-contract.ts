import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import {
  isTusError,
  newUploadId,
  type ChecksumSpec,
  type Upload,
  type UploadStore,
} from '../store.js'

/** Makes a fresh, empty store for one test; may be async. */
export type StoreFactory = () => UploadStore | Promise<UploadStore>

/**
 * Registers `node:test` cases that check `makeStore`'s stores against the `UploadStore`
 * contract: offsets, limits, aborts, disconnects and each declared capability.
 *
 * @example
 * ```ts
 * import { runStoreContract } from 'tuskit/testing'
 * runStoreContract('MyStore', () => new MyStore({ ... }))
 * ```
 */
export function runStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`UploadStore contract: ${name}`, () => {
    it('creates an empty upload and reads it back', async () => {
      const store = await makeStore()
      const id = newUploadId()
      const created = await store.create({ id, size: 11, metadata: { filename: 'a.txt', x: null } })
      assert.equal(created.id, id)
      assert.equal(created.offset, 0)
      assert.equal(created.size, 11)
      const got = await store.get(id)
      assert.equal(got.offset, 0)
      assert.equal(got.size, 11)
      assert.deepEqual({ ...got.metadata }, { filename: 'a.txt', x: null })
      assert.ok(got.createdAt instanceof Date && !Number.isNaN(got.createdAt.getTime()))
    })

    it('rejects unknown and unsafe ids with a 404 TusError', async () => {
      const store = await makeStore()
      for (const id of [newUploadId(), '..', '../x', 'a/b', 'a\\b', 'x.json', '', 'a\0b']) {
        await assertStatus(store.get(id), 404, `get(${JSON.stringify(id)})`)
      }
    })

    it('refuses to create an id twice', async () => {
      const store = await makeStore()
      const id = await newUpload(store, 1)
      await assert.rejects(store.create({ id, size: 1, metadata: {} }))
    })

    it('appends in order and reports the new offset', async () => {
      const store = await makeStore()
      const id = await newUpload(store, 11)
      const a = await store.append(id, 0, Readable.from([Buffer.from('hello')]), { maxBytes: 11 })
      assert.equal(a.offset, 5)
      const b = await store.append(id, 5, Readable.from([Buffer.from(' world')]), { maxBytes: 6 })
      assert.equal(b.offset, 11)
      assert.equal((await store.get(id)).offset, 11)
      await assertBytes(store, id, Buffer.from('hello world'))
    })

    it('rejects an append at the wrong offset with 409 and changes nothing', async () => {
      const store = await makeStore()
      const { id } = await storeUpload(store, Buffer.from('abc'), 10)
      const err = await assertStatus(
        store.append(id, 1, Readable.from([Buffer.from('zz')]), { maxBytes: 10 }),
        409,
        'append at a stale offset',
      )
      assert.equal(err.headers['Upload-Offset'], '3')
      assert.equal((await store.get(id)).offset, 3)
      await assertBytes(store, id, Buffer.from('abc'))
    })

    it('stores exactly maxBytes and rejects with 413 when the body is longer', async () => {
      const store = await makeStore()
      const id = await newUpload(store, 8)
      const body = Readable.from([Buffer.from('12345'), Buffer.from('6789'), Buffer.from('abc')])
      await assertStatus(store.append(id, 0, body, { maxBytes: 8 }), 413, 'overlong append')
      assert.equal((await store.get(id)).offset, 8)
      await assertBytes(store, id, Buffer.from('12345678'))
    })

    it('keeps every byte received when the append is aborted', async () => {
      const store = await makeStore()
      const id = await newUpload(store, 1 << 20)
      const body = new PassThrough()
      const abort = new AbortController()
      const sent = Buffer.alloc(3 * 4096, 7)
      const appending = store.append(id, 0, body, { maxBytes: 1 << 20, signal: abort.signal })
      body.write(sent)
      await drained(body)
      abort.abort()
      await assert.rejects(appending)
      assert.equal((await store.get(id)).offset, sent.length)
      await assertBytes(store, id, sent)
    })

    it('keeps every byte received when the body fails midway (client disconnect)', async () => {
      const store = await makeStore()
      const id = await newUpload(store, 1 << 20)
      const body = new PassThrough()
      const sent = Buffer.alloc(5000, 3)
      const appending = store.append(id, 0, body, { maxBytes: 1 << 20 })
      body.write(sent)
      await drained(body)
      body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
      await assert.rejects(appending)
      const after = await store.get(id)
      assert.equal(after.offset, sent.length)
      const resumed = await store.append(id, after.offset, Readable.from([Buffer.from('!')]), {
        maxBytes: 10,
      })
      assert.equal(resumed.offset, sent.length + 1)
    })

    it('streams a large body without holding it (32 MiB in 64 KiB chunks)', async () => {
      const store = await makeStore()
      const id = newUploadId()
      const size = 32 * 1024 * 1024
      await store.create({ id, size, metadata: {} })
      const hash = createHash('sha256')
      const body = Readable.from(chunks(size, 64 * 1024, hash))
      const done = await store.append(id, 0, body, { maxBytes: size })
      assert.equal(done.offset, size)
      const expected = hash.digest('hex')
      if (store.read) {
        const actual = createHash('sha256')
        for await (const chunk of await store.read(id)) actual.update(chunk as Buffer)
        assert.equal(actual.digest('hex'), expected)
      }
    })

    it('advertises only capabilities it implements', async () => {
      const store = await makeStore()
      const methods = {
        'creation-defer-length': store.declareLength,
        termination: store.remove,
        read: store.read,
        expiration: store.deleteExpired,
        concatenation: store.concatenate,
      } as const
      for (const cap of store.capabilities) {
        if (cap in methods) {
          assert.equal(typeof methods[cap as keyof typeof methods], 'function', cap)
        }
      }
    })

    it('declares a deferred length once (creation-defer-length)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('creation-defer-length') || !store.declareLength) {
        return t.skip('store has no creation-defer-length capability')
      }
      const id = newUploadId()
      const created = await store.create({ id, size: undefined, metadata: {} })
      assert.equal(created.size, undefined)
      await store.append(id, 0, Readable.from([Buffer.from('abcd')]), { maxBytes: 100 })
      await assertStatus(store.declareLength(id, 3), 400, 'length below offset')
      const declared = await store.declareLength(id, 6)
      assert.equal(declared.size, 6)
      assert.equal(declared.offset, 4)
      assert.equal((await store.declareLength(id, 6)).size, 6)
      await assertStatus(store.declareLength(id, 7), 400, 'changing a declared length')
      assert.equal((await store.get(id)).size, 6)
    })

    it('removes an upload and its bytes (termination)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('termination') || !store.remove) {
        return t.skip('store has no termination capability')
      }
      const { id } = await storeUpload(store, Buffer.from('abc'), 3)
      await store.remove(id)
      await assertStatus(store.get(id), 404, 'get after remove')
      await assertStatus(store.remove(id), 404, 'second remove')
    })

    it('concatenates complete partials in order, repeats and empty parts too (concatenation)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('concatenation') || !store.concatenate) {
        return t.skip('store has no concatenation capability')
      }
      const part = async (body: string) => {
        const id = newUploadId()
        const created = await store.create({
          id,
          size: body.length,
          metadata: { part: body },
          concat: { kind: 'partial' },
        })
        assert.deepEqual(created.concat, { kind: 'partial' })
        if (body === '') return created
        return store.append(id, 0, Readable.from([Buffer.from(body)]), { maxBytes: body.length })
      }
      const [a, b, empty] = [await part('hello'), await part(' world'), await part('')]
      const parts = [a, b, empty, a]
      const id = newUploadId()
      const concat = { kind: 'final', parts: parts.map((p) => p.id) } as const
      await store.create({ id, size: 16, metadata: { name: 'final' }, concat })
      const pending = await store.get(id)
      assert.equal(pending.offset, 0)
      assert.equal(pending.size, 16)
      assert.deepEqual(pending.concat, concat)

      const done = await store.concatenate(id, parts)
      assert.equal(done.offset, 16)
      assert.equal(done.size, 16)
      const got = await store.get(id)
      assert.equal(got.offset, 16)
      assert.deepEqual(got.concat, concat)
      assert.deepEqual({ ...got.metadata }, { name: 'final' })
      await assertBytes(store, id, Buffer.from('hello worldhello'))
      // the parts are left as they were
      assert.equal((await store.get(a.id)).offset, 5)
      assert.deepEqual((await store.get(b.id)).concat, { kind: 'partial' })
      await assertBytes(store, b.id, Buffer.from(' world'))
      // again: nothing changes
      assert.equal((await store.concatenate(id, parts)).offset, 16)
      await assertBytes(store, id, Buffer.from('hello worldhello'))
    })

    it('gives a final created without a length the sum of its parts (concatenation)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('concatenation') || !store.concatenate) {
        return t.skip('store has no concatenation capability')
      }
      const part = await storeUpload(store, Buffer.from('abc'), 3, true)
      const id = newUploadId()
      const concat = { kind: 'final', parts: [part.id, part.id] } as const
      const created = await store.create({ id, size: undefined, metadata: {}, concat })
      assert.equal(created.size, undefined)
      const done = await store.concatenate(id, [part, part])
      assert.deepEqual([done.offset, done.size], [6, 6])
      const got = await store.get(id)
      assert.deepEqual([got.offset, got.size], [6, 6])
      await assertBytes(store, id, Buffer.from('abcabc'))
    })

    it('leaves a final empty when a part is incomplete (concatenation)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('concatenation') || !store.concatenate) {
        return t.skip('store has no concatenation capability')
      }
      const part = await storeUpload(store, Buffer.alloc(70_000, 1), 1 << 20, true)
      const id = newUploadId()
      const concat = { kind: 'final', parts: [part.id] } as const
      await store.create({ id, size: 1 << 20, metadata: {}, concat })
      await assert.rejects(store.concatenate(id, [part]), (err: unknown) => isTusError(err))
      const got = await store.get(id)
      assert.equal(got.offset, 0)
      assert.equal(got.size, 1 << 20)
      await assertBytes(store, id, Buffer.alloc(0))
    })

    it('deletes only unfinished uploads idle since before the cutoff (expiration)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('expiration') || !store.deleteExpired) {
        return t.skip('store has no expiration capability')
      }
      const idle = newUploadId()
      const done = newUploadId()
      await store.create({ id: idle, size: 10, metadata: {} })
      await store.append(idle, 0, Readable.from([Buffer.from('abc')]), { maxBytes: 10 })
      await store.create({ id: done, size: 2, metadata: {} })
      await store.append(done, 0, Readable.from([Buffer.from('ok')]), { maxBytes: 2 })
      const updatedAt = (await store.get(idle)).updatedAt
      assert.ok(updatedAt instanceof Date, 'expiring stores report updatedAt')
      assert.equal(await store.deleteExpired(new Date(Date.now() - 60_000)), 0)
      assert.equal((await store.get(idle)).offset, 3)
      assert.equal(await store.deleteExpired(new Date(Date.now() + 60_000)), 1)
      await assertStatus(store.get(idle), 404, 'get of an expired upload')
      assert.equal((await store.get(done)).offset, 2, 'finished uploads never expire')
    })

    it('reads byte ranges (read)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('read') || !store.read) {
        return t.skip('store has no read capability')
      }
      const { id } = await storeUpload(store, Buffer.from('0123456789'), 10)
      assert.equal((await collect(await store.read(id, { start: 2, end: 5 }))).toString(), '2345')
      await assertStatus(store.read(newUploadId()), 404, 'read of an unknown upload')
    })

    it('stores a body whose digest matches, all at once (checksum)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('checksum')) return t.skip('store has no checksum capability')
      const id = await newUpload(store, 11)
      const a = await store.append(id, 0, Readable.from([Buffer.from('hello ')]), {
        maxBytes: 11,
        checksum: checksumOf('sha1', 'hello '),
      })
      assert.equal(a.offset, 6)
      const b = await store.append(id, 6, Readable.from([Buffer.from('wor'), Buffer.from('ld')]), {
        maxBytes: 5,
        checksum: checksumOf('md5', 'world'),
      })
      assert.equal(b.offset, 11)
      assert.equal((await store.get(id)).offset, 11)
      await assertBytes(store, id, Buffer.from('hello world'))
    })

    it('rejects a digest mismatch with 460 and stores nothing (checksum)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('checksum')) return t.skip('store has no checksum capability')
      const { id } = await storeUpload(store, Buffer.from('abc'), 1 << 20)
      const body = Readable.from([Buffer.from('defg'), Buffer.alloc(70_000, 1)])
      await assertStatus(
        store.append(id, 3, body, { maxBytes: 1 << 20, checksum: checksumOf('sha256', 'other') }),
        460,
        'append with a wrong digest',
      )
      assert.equal((await store.get(id)).offset, 3)
      await assertBytes(store, id, Buffer.from('abc'))
      // A checksum that never arrived (an announced trailer left out) stores the body.
      const none = await store.append(id, 3, Readable.from([Buffer.from('def')]), {
        maxBytes: 1 << 20,
        checksum: { algorithms: ['sha1', 'md5'], expected: () => undefined },
      })
      assert.equal(none.offset, 6)
      await assertBytes(store, id, Buffer.from('abcdef'))
    })

    it('stores nothing of an aborted, failed or overlong checksummed append (checksum)', async (t) => {
      const store = await makeStore()
      if (!store.capabilities.has('checksum')) return t.skip('store has no checksum capability')
      const { id } = await storeUpload(store, Buffer.from('xy'), 1 << 20)
      const sent = Buffer.alloc(3 * 4096, 7)
      const checksum = checksumOf('sha1', sent)

      const aborted = new PassThrough()
      const abort = new AbortController()
      const appending = store.append(id, 2, aborted, {
        maxBytes: 1 << 20,
        signal: abort.signal,
        checksum,
      })
      aborted.write(sent)
      await drained(aborted)
      abort.abort()
      await assert.rejects(appending)
      assert.equal((await store.get(id)).offset, 2, 'aborted: nothing stored')

      const failed = new PassThrough()
      const failing = store.append(id, 2, failed, { maxBytes: 1 << 20, checksum })
      failed.write(sent)
      await drained(failed)
      failed.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
      await assert.rejects(failing)
      assert.equal((await store.get(id)).offset, 2, 'client gone: nothing stored')

      await assertStatus(
        store.append(id, 2, Readable.from([sent]), { maxBytes: 100, checksum }),
        413,
        'overlong checksummed append',
      )
      assert.equal((await store.get(id)).offset, 2, 'overlong: nothing stored')
      await assertBytes(store, id, Buffer.from('xy'))

      const retried = await store.append(id, 2, Readable.from([sent]), {
        maxBytes: 1 << 20,
        checksum,
      })
      assert.equal(retried.offset, 2 + sent.length)
    })
  })
}

/** A checksum over `data`, as the handler passes it for an `Upload-Checksum` header. */
function checksumOf(algorithm: string, data: Buffer | string): ChecksumSpec {
  const digest = createHash(algorithm).update(data).digest()
  return { algorithms: [algorithm], expected: () => ({ algorithm, digest }) }
}

async function assertStatus<T>(promise: Promise<T>, status: number, what: string) {
  try {
    await promise
  } catch (err) {
    assert.ok(isTusError(err), `${what}: expected a TusError, got ${String(err)}`)
    assert.equal(err.status, status, `${what}: status`)
    return err
  }
  assert.fail(`${what}: expected a ${status} rejection`)
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

/** A new empty upload of `size` bytes; its id. */
async function newUpload(store: UploadStore, size: number): Promise<string> {
  const id = newUploadId()
  await store.create({ id, size, metadata: {} })
  return id
}

/** A new upload of `size` bytes holding `bytes`; a partial one for concatenation if `partial`. */
async function storeUpload(
  store: UploadStore,
  bytes: Buffer,
  size = bytes.length,
  partial = false,
): Promise<Upload> {
  const id = newUploadId()
  await store.create({ id, size, metadata: {}, ...(partial && { concat: { kind: 'partial' } }) })
  return store.append(id, 0, Readable.from([bytes]), { maxBytes: size })
}

async function assertBytes(store: UploadStore, id: string, expected: Buffer): Promise<void> {
  if (!store.read) return
  assert.deepEqual(await collect(await store.read(id)), expected)
}

/** Resolves once a PassThrough's buffered bytes have been taken by its reader. */
async function drained(stream: PassThrough): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (stream.readableLength === 0 && stream.writableLength === 0) {
      await new Promise((r) => setTimeout(r, 20))
      return
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error('the store never read the body')
}

function* chunks(total: number, size: number, hash: ReturnType<typeof createHash>) {
  let seed = 1
  for (let sent = 0; sent < total; sent += size) {
    const chunk = Buffer.allocUnsafe(Math.min(size, total - sent))
    for (let i = 0; i < chunk.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0
      chunk.writeUInt32LE(seed, i)
    }
    hash.update(chunk)
    yield chunk
  }
}

export type { Upload }
