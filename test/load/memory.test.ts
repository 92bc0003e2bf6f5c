/**
 * Memory of a server in its own process (probe-server.js):
 *
 * - a 4 GiB upload (`TUSKIT_BIG_GIB` changes it; skipped when the temp folder has less than
 *   twice that free), streamed in several PATCHes by a client that never holds it either,
 *   verified by sha256: the server's peak RSS (VmHWM) stays flat;
 * - 2,000 creations from one client, then 10,000 more requests (create, PATCH, HEAD, GET,
 *   DELETE): with `--expose-gc`, the heap after a full GC, the active handles and timers and
 *   the listener counts are the same before and after (within a small margin for the heap):
 *   no leak per request.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { statfs } from 'node:fs/promises'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTempDir, removeDir } from '../helpers/files.js'
import { fixturePath, startChildServer } from '../fixtures/child-server.js'
import {
  MiB,
  OCTET,
  TUS,
  generated,
  mib,
  pool,
  resetPeak,
  send,
  sha256File,
  stats,
} from './load-client.js'

const GiB = 1024 * MiB
const BIG = Number(process.env['TUSKIT_BIG_GIB'] ?? 4) * GiB
const PATCHES = 4
const PEAK_LIMIT_KIB = 150 * 1024

test(`a ${BIG / GiB} GiB upload in ${PATCHES} PATCHes: server peak RSS stays flat`, async (t) => {
  const fs = await statfs(tmpdir())
  const free = fs.bavail * fs.bsize
  if (free < 2 * BIG) {
    t.skip(`only ${(free / GiB).toFixed(1)} GiB free in ${tmpdir()}`)
    return
  }
  const dir = await makeTempDir('tuskit-big-')
  const server = await startChildServer(fixturePath('probe-server.js'), [join(dir, 'store')])
  try {
    const endpoint = `${server.origin}/files`
    const base = await resetPeak(server)
    const started = Date.now()
    const created = await send(endpoint, 'POST', { ...TUS, 'Upload-Length': BIG })
    assert.equal(created.status, 201)
    const url = new URL(String(created.headers.location), endpoint).href
    const hash = createHash('sha256')
    const seed = randomBytes(MiB)
    const step = BIG / PATCHES
    for (let offset = 0; offset < BIG; offset += step) {
      const res = await send(
        url,
        'PATCH',
        { ...TUS, 'Upload-Offset': offset, 'Content-Type': OCTET, 'Content-Length': step },
        generated(step, hash, seed, offset / MiB),
        { timeoutMs: 300_000 },
      )
      assert.equal(res.status, 204, res.body.toString())
      assert.equal(res.headers['upload-offset'], String(offset + step))
    }
    const elapsed = Date.now() - started
    const s = await stats(server)
    assert.equal(
      await sha256File(join(dir, 'store', url.split('/').pop() ?? '')),
      hash.digest('hex'),
    )
    t.diagnostic(
      `${BIG / GiB} GiB in ${(elapsed / 1000).toFixed(1)} s; server RSS before ${mib(base)}, ` +
        `peak ${mib(s.vmHWM)}, after ${mib(s.vmRSS)}`,
    )
    assert.ok(s.vmHWM < PEAK_LIMIT_KIB, `peak RSS ${mib(s.vmHWM)}`)
  } finally {
    await server.kill()
    await removeDir(dir)
  }
})

test('no leak over 2,000 creations and 10,000 requests (heap, handles, timers, listeners)', async (t) => {
  const dir = await makeTempDir('tuskit-leak-')
  const server = await startChildServer(
    fixturePath('probe-server.js'),
    [join(dir, 'store'), 'nofsync'],
    {
      execArgv: ['--expose-gc'],
    },
  )
  // One client: a keep-alive pool of 8 connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  try {
    const endpoint = `${server.origin}/files`
    const body = randomBytes(1024)
    /** One full life: create, PATCH, HEAD, GET, DELETE (5 requests). */
    const cycle = async (): Promise<void> => {
      const c = await send(endpoint, 'POST', { ...TUS, 'Upload-Length': body.length }, undefined, {
        agent,
      })
      assert.equal(c.status, 201)
      const url = new URL(String(c.headers.location), endpoint).href
      const p = await send(
        url,
        'PATCH',
        { ...TUS, 'Upload-Offset': 0, 'Content-Type': OCTET },
        body,
        { agent },
      )
      assert.equal(p.status, 204)
      assert.equal((await send(url, 'HEAD', { ...TUS }, undefined, { agent })).status, 200)
      assert.equal((await send(url, 'GET', {}, undefined, { agent })).body.length, body.length)
      assert.equal((await send(url, 'DELETE', { ...TUS }, undefined, { agent })).status, 204)
    }
    // Warm up (JIT, pools), then measure.
    await pool(Array.from({ length: 200 }), 8, cycle)
    const before = await stats(server)
    assert.ok(before.gc, 'the server runs with --expose-gc')

    // 2,000 creations from one client: they stay (as uploads), the memory does not grow.
    const creations = await pool(Array.from({ length: 2000 }), 8, async () => {
      const c = await send(endpoint, 'POST', { ...TUS, 'Upload-Length': 10 }, undefined, { agent })
      assert.equal(c.status, 201)
      return c
    })
    assert.equal(creations.length, 2000)
    const afterCreations = await stats(server)
    // 10,000 requests: 2,000 full lives.
    await pool(Array.from({ length: 2000 }), 8, cycle)
    const after = await stats(server)

    const heap = (after.heapUsed - before.heapUsed) / MiB
    const heapCreations = (afterCreations.heapUsed - before.heapUsed) / MiB
    t.diagnostic(
      `heap used after GC: ${(before.heapUsed / MiB).toFixed(2)} MiB before, ` +
        `${(afterCreations.heapUsed / MiB).toFixed(2)} after 2,000 creations, ` +
        `${(after.heapUsed / MiB).toFixed(2)} after 10,000 more requests (${heap >= 0 ? '+' : ''}${heap.toFixed(2)} MiB); ` +
        `RSS ${mib(before.vmRSS)} -> ${mib(after.vmRSS)}, peak ${mib(after.vmHWM)}`,
    )
    t.diagnostic(
      `resources before ${JSON.stringify(before.resources)}, after ${JSON.stringify(after.resources)}`,
    )
    t.diagnostic(
      `listeners before ${JSON.stringify(before.listeners)}, after ${JSON.stringify(after.listeners)}`,
    )
    // A leak of even 100 bytes per request would show as 1 MiB here.
    assert.ok(heap < 2, `heap grew by ${heap.toFixed(2)} MiB over 10,000 requests`)
    assert.ok(
      heapCreations < 2,
      `heap grew by ${heapCreations.toFixed(2)} MiB over 2,000 creations`,
    )
    assert.deepEqual(after.listeners, before.listeners)
    // Timers and handles: the same kinds, no more of them (idle keep-alive sockets may vary).
    const timers = (r: Record<string, number>): number => r['Timeout'] ?? 0
    assert.ok(timers(after.resources) <= timers(before.resources), 'no timer left behind')
    const fileHandles = (r: Record<string, number>): number => r['FileHandle'] ?? 0
    assert.equal(fileHandles(after.resources), 0, 'no file handle left open')
    assert.ok(after.connections <= 8, `${after.connections} connections open`)
  } finally {
    agent.destroy()
    await server.kill()
    await removeDir(dir)
  }
})
