import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, withServer } from '../helpers/server.js'
import { FileStore, createTusHandler } from '../../src/index.js'
import { TUS, assertTusError, create, head, patch, storeFiles } from './tus-client.js'

const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/

test('expiration is advertised only with expireAfter', async () => {
  const off = await startServer()
  const on = await startServer({ expireAfter: 60_000 })
  try {
    const a = await fetch(off.endpoint, { method: 'OPTIONS' })
    assert.ok(!a.headers.get('tus-extension')?.split(',').includes('expiration'))
    const b = await fetch(on.endpoint, { method: 'OPTIONS' })
    assert.ok(b.headers.get('tus-extension')?.split(',').includes('expiration'))
  } finally {
    await off.close()
    await on.close()
  }
})

test('Upload-Expires on POST, PATCH and HEAD of unfinished uploads only', async () => {
  await withServer({ expireAfter: 3_600_000 }, async (s) => {
    const before = Date.now()
    const post = await fetch(s.endpoint, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '10' },
    })
    assert.equal(post.status, 201)
    const expires = post.headers.get('upload-expires') ?? ''
    assert.match(expires, HTTP_DATE)
    const at = Date.parse(expires)
    assert.ok(at >= before + 3_600_000 - 1000 && at <= Date.now() + 3_600_000 + 1000)
    const url = new URL(post.headers.get('location') ?? '', s.origin).href
    const p1 = await patch(url, 0, 'hello')
    assert.match(p1.headers.get('upload-expires') ?? '', HTTP_DATE)
    assert.match((await head(url)).headers.get('upload-expires') ?? '', HTTP_DATE)
    const p2 = await patch(url, 5, 'world')
    assert.equal(p2.headers.get('upload-expires'), null, 'finished uploads do not expire')
    assert.equal((await head(url)).headers.get('upload-expires'), null)
  })
})

test('an idle unfinished upload answers 410, and deleteExpired removes it', async () => {
  await withServer({ expireAfter: 300 }, async (s) => {
    const idle = await create(s, { 'Upload-Length': '10' })
    const done = await create(s, { 'Upload-Length': '2' })
    await patch(done.url, 0, 'ok')
    await sleep(1100) // mtime resolution on some file systems is one second
    await assertTusError(await head(idle.url), 410, 'HEAD')
    await assertTusError(await patch(idle.url, 0, 'hello'), 410)
    assert.equal((await head(done.url)).status, 200, 'finished uploads never expire')
    const expired: number[] = []
    s.handler.events.on('expired', (n) => expired.push(n))
    assert.equal(await s.handler.deleteExpired(), 1)
    assert.deepEqual(expired, [1])
    assert.deepEqual(await storeFiles(s), [done.id, `${done.id}.json`].sort())
    await assertTusError(await head(idle.url), 404, 'HEAD')
  })
})

test('PATCHes keep an upload alive (the window slides)', async () => {
  await withServer({ expireAfter: 1500 }, async (s) => {
    const { url } = await create(s, { 'Upload-Length': '4' })
    for (let i = 0; i < 3; i++) {
      await sleep(700)
      assert.equal((await patch(url, i, 'x')).status, 204, `PATCH ${i}`)
    }
    assert.equal((await head(url)).status, 200)
  })
})

test('the opt-in sweep deletes expired uploads in the background', async () => {
  await withServer({ expireAfter: 200, expirationSweepInterval: 100 }, async (s) => {
    const { id } = await create(s, { 'Upload-Length': '10' })
    const swept = new Promise<number>((resolve) => s.handler.events.once('expired', resolve))
    assert.equal(await Promise.race([swept, sleep(5000, -1)]), 1)
    assert.ok(!(await storeFiles(s)).includes(`${id}.json`))
  })
})

test('expiration options are validated at construction', () => {
  const store = new FileStore({ directory: `${process.env.TMPDIR ?? '/tmp'}/tuskit-exp-opts` })
  assert.throws(() => createTusHandler(store, { expireAfter: -1 }), /expireAfter/)
  assert.throws(
    () => createTusHandler(store, { expirationSweepInterval: 10 }),
    /needs options.expireAfter/,
  )
  const noExpiry = { ...store, capabilities: new Set<never>() }
  assert.throws(
    () =>
      createTusHandler(Object.assign(Object.create(store) as FileStore, noExpiry), {
        expireAfter: 1,
      }),
    /expiration capability/,
  )
})
