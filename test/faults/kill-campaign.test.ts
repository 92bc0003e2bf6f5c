/**
 * Fault injection: a randomized campaign of SIGKILLs. The server runs in a child process
 * (crash-server.js: FileStore with `fsync: true`, the default policy); each round starts one
 * or two operations (a PATCH, a checksummed PATCH, a PATCH declaring a deferred length, a
 * concatenation, a DELETE), kills the server at a random moment (after a random delay, or
 * once a random share of the operation's bytes is on disk), restarts it on the same folder
 * and checks every upload:
 *
 * - HEAD answers 200 or 404, never 5xx; the reported offset equals the stored bytes (the
 *   data file's size, or a pending checksum commit's offset);
 * - the stored bytes are the source's prefix, read back with GET (which must work);
 * - an acknowledged offset (a 204's `Upload-Offset`) is never lost; a checksummed PATCH
 *   stores all or nothing; a declared length, once acknowledged, stays;
 * - a terminated upload (DELETE answered 204) stays gone (HEAD, GET, PATCH: 404, no files),
 *   and one killed mid-DELETE is either gone for good or wholly alive, never half;
 * - a final upload is either pending (no offset) or complete with exactly its parts' bytes,
 *   and a HEAD after the restart completes it;
 * - every `<id>.json` in the folder, known to the test or not, is readable (HEAD, GET).
 *
 * Seeded: `TUSKIT_FAULT_SEED=<n>` replays a campaign's choices (timing stays real); the seed
 * is printed as a diagnostic and in every failure. `TUSKIT_FAULT_ROUNDS` (default 60) sets
 * the number of kill points.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { MiB, makeTempDir, removeDir, storedSize } from '../helpers/files.js'
import { TUS, simpleRequest, withTimeout } from '../helpers/requests.js'
import { fixturePath, startChildServer, type ChildServer } from '../fixtures/child-server.js'

const CRASH_SERVER = fixturePath('crash-server.js')
const SEED = Number(process.env['TUSKIT_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const ROUNDS = Number(process.env['TUSKIT_FAULT_ROUNDS'] ?? 60)
const OCTET = 'application/offset+octet-stream'

/** mulberry32: a small seeded PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(SEED)
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1))
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

type Kind = 'plain' | 'deferred' | 'partial' | 'final'

/** What the test knows of one upload. */
interface Tracked {
  id: string
  kind: Kind
  /** Its whole content (a final's: its parts' bytes in order). */
  source: Buffer
  /** Highest offset acknowledged by a 2xx. */
  acked: number
  /** The offset the last check saw (exact). */
  offset: number
  /** A deferred upload's length is known to be declared. */
  declared: boolean
  /** `yes` once a DELETE got 204; `maybe` when one was cut by the kill. */
  deleted: 'no' | 'maybe' | 'yes'
  /** Touched this round: its bytes are read back in full. */
  touched: boolean
  /** What an operation cut by the kill may have done. */
  pending?: { before: number; length: number; allOrNothing: boolean; declares: boolean } | undefined
}

type Outcome = { status: number; headers: Record<string, string | string[] | undefined> } | 'cut'

async function request(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: Buffer,
): Promise<Outcome> {
  try {
    const res = await simpleRequest(url, method, headers, body, 30_000)
    return { status: res.status, headers: res.headers }
  } catch {
    return 'cut'
  }
}

let dir: string
let storeDir: string
let server: ChildServer | undefined
const uploads = new Map<string, Tracked>()
const stats = {
  rounds: 0,
  cutOps: 0,
  completedOps: 0,
  checks: 0,
  byAction: {} as Record<string, { ops: number; cut: number }>,
  orphans: 0,
  /** Cut PATCHes that left part of their body stored: the kill landed mid-write. */
  midWrite: 0,
  foundFinals: 0,
}

before(async () => {
  dir = await makeTempDir('tuskit-faults-')
  storeDir = join(dir, 'store')
})

after(async () => {
  await server?.kill()
  await removeDir(dir)
})

const endpoint = (): string => `${server?.origin}/files`
const urlOf = (id: string): string => `${endpoint()}/${id}`

async function create(kind: Kind, size: number, extra: Record<string, string> = {}) {
  const headers: Record<string, string | number> = { ...TUS, ...extra }
  if (kind === 'deferred') headers['Upload-Defer-Length'] = 1
  else headers['Upload-Length'] = size
  if (kind === 'partial') headers['Upload-Concat'] = 'partial'
  const res = await simpleRequest(endpoint(), 'POST', headers, undefined, 30_000)
  assert.equal(res.status, 201, `POST ${kind}`)
  const id = String(res.headers.location).split('/').pop() ?? ''
  const t: Tracked = {
    id,
    kind,
    source: randomBytes(size),
    acked: 0,
    offset: 0,
    declared: kind !== 'deferred',
    deleted: 'no',
    touched: false,
  }
  uploads.set(id, t)
  return t
}

/** Sends bytes until the upload is complete (setup, not a kill target). */
async function fill(t: Tracked): Promise<void> {
  const headers: Record<string, string | number> = {
    ...TUS,
    'Upload-Offset': t.offset,
    'Content-Type': OCTET,
  }
  if (!t.declared) headers['Upload-Length'] = t.source.length
  const res = await request(urlOf(t.id), 'PATCH', headers, t.source.subarray(t.offset))
  assert.ok(res !== 'cut' && res.status === 204, 'setup PATCH')
  t.offset = t.acked = t.source.length
  t.declared = true
}

const live = (k?: Kind) =>
  [...uploads.values()].filter(
    (t) =>
      t.deleted === 'no' &&
      t.pending === undefined &&
      (k === undefined || t.kind === k) &&
      t.offset < t.source.length,
  )

/** Keeps a few unfinished uploads of each kind and two complete parts around. */
async function replenish(): Promise<void> {
  while (live('plain').length < 3) await create('plain', int(2, 12) * MiB + int(0, 99_999))
  while (live('deferred').length < 2) await create('deferred', int(1, 8) * MiB + int(0, 9999))
  const parts = [...uploads.values()].filter((t) => t.kind === 'partial' && t.deleted === 'no')
  for (let i = parts.length; i < 2; i++) await fill(await create('partial', 4 * MiB + i * 777))
}

interface Running {
  action: string
  /** Resolves `true` when the kill cut the operation before its answer. */
  done: Promise<boolean>
  /** Where progress shows on disk, and how many bytes mean "all of it". */
  progress?: { file: () => Promise<number>; total: number }
}

async function tmpSize(): Promise<number> {
  let n = 0
  for (const name of await readdir(storeDir).catch(() => [] as string[])) {
    if (name.endsWith('.tmp')) n += await storedSize(join(storeDir, name))
  }
  return n
}

/** Starts one operation of the chosen kind; its outcome updates the model when it settles. */
function startAction(action: string): Running | undefined {
  switch (action) {
    case 'patch':
    case 'checksum':
    case 'declare': {
      const pool = action === 'declare' ? live('deferred').filter((t) => !t.declared) : live()
      const t = pool.filter((u) => u.kind !== 'final' && u.declared !== (action === 'declare'))
      const target = pick(t.length > 0 ? t : pool)
      if (target === undefined) return undefined
      const before = target.offset
      const left = target.source.length - before
      const length = Math.max(1, Math.min(left, int(1, 6) * MiB - int(0, 99_999)))
      const body = target.source.subarray(before, before + length)
      const headers: Record<string, string | number> = {
        ...TUS,
        'Upload-Offset': before,
        'Content-Type': OCTET,
      }
      const declares = !target.declared && (action === 'declare' || random() < 0.5)
      if (declares) headers['Upload-Length'] = target.source.length
      const allOrNothing = action === 'checksum'
      if (allOrNothing) {
        headers['Upload-Checksum'] = `sha1 ${createHash('sha1').update(body).digest('base64')}`
      }
      target.touched = true
      target.pending = { before, length, allOrNothing, declares }
      const done = request(urlOf(target.id), 'PATCH', headers, body).then((res) => {
        if (res === 'cut') return true
        assert.equal(res.status, 204, `PATCH ${target.id} (${action})`)
        target.acked = Number(res.headers['upload-offset'])
        assert.equal(target.acked, before + length)
        target.offset = target.acked
        if (declares) target.declared = true
        target.pending = undefined
        return false
      })
      const data = join(storeDir, target.id)
      return {
        action,
        done,
        progress: allOrNothing
          ? { file: () => storedSize(`${data}.chunk`), total: length }
          : { file: async () => (await storedSize(data)) - before, total: length },
      }
    }
    case 'concat': {
      const parts = [...uploads.values()].filter(
        (t) => t.kind === 'partial' && t.deleted === 'no' && t.offset === t.source.length,
      )
      if (parts.length < 2) return undefined
      const order = Array.from({ length: int(2, 6) }, () => pick(parts))
      const source = Buffer.concat(order.map((p) => p.source))
      const header = `final;${order.map((p) => `/files/${p.id}`).join(' ')}`
      const done = request(endpoint(), 'POST', { ...TUS, 'Upload-Concat': header }).then((res) => {
        if (res === 'cut') {
          pendingFinals.push(source)
          return true
        }
        assert.equal(res.status, 201, 'POST final')
        const id = String(res.headers.location).split('/').pop() ?? ''
        uploads.set(id, {
          id,
          kind: 'final',
          source,
          acked: source.length,
          offset: source.length,
          declared: true,
          deleted: 'no',
          touched: true,
        })
        return false
      })
      return { action, done, progress: { file: tmpSize, total: source.length } }
    }
    case 'delete': {
      const target = pick(
        [...uploads.values()].filter(
          (t) => t.deleted === 'no' && t.pending === undefined && t.kind !== 'partial',
        ),
      )
      if (target === undefined) return undefined
      target.deleted = 'maybe'
      target.touched = true
      const done = request(urlOf(target.id), 'DELETE', { ...TUS }).then((res) => {
        if (res === 'cut') return true
        assert.equal(res.status, 204, `DELETE ${target.id}`)
        target.deleted = 'yes'
        return false
      })
      return { action, done }
    }
  }
  return undefined
}

/** Contents of finals whose POST was cut: a final found on disk must be one of them. */
let pendingFinals: Buffer[] = []

async function getBody(id: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(urlOf(id), { signal: AbortSignal.timeout(30_000) })
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) }
}

async function head(id: string) {
  const res = await simpleRequest(urlOf(id), 'HEAD', { ...TUS }, undefined, 30_000)
  const offset = res.headers['upload-offset']
  const length = res.headers['upload-length']
  return {
    status: res.status,
    offset: offset === undefined ? undefined : Number(offset),
    length: length === undefined ? undefined : Number(length),
  }
}

/** Checks one tracked upload after a restart and brings the model up to date. */
async function verify(t: Tracked, where: string): Promise<void> {
  const h = await head(t.id)
  stats.checks++
  assert.ok(h.status === 200 || h.status === 404, `${where}: HEAD ${t.id} answered ${h.status}`)
  const files = (await readdir(storeDir)).filter((f) => f === t.id || f.startsWith(`${t.id}.`))
  if (h.status === 404) {
    assert.notEqual(t.deleted, 'no', `${where}: ${t.id} vanished without a DELETE`)
    assert.equal((await getBody(t.id)).status, 404, `${where}: GET of a terminated upload`)
    const p = await request(urlOf(t.id), 'PATCH', {
      ...TUS,
      'Upload-Offset': 0,
      'Content-Type': OCTET,
    })
    assert.ok(p !== 'cut' && p.status === 404, `${where}: PATCH of a terminated upload`)
    assert.ok(!files.includes(`${t.id}.json`), `${where}: info file of a terminated upload`)
    if (t.deleted === 'yes') assert.deepEqual(files, [], `${where}: files left by a DELETE`)
    else if (files.length > 0) stats.orphans++ // a DELETE cut between its unlinks
    t.deleted = 'yes'
    uploads.delete(t.id)
    return
  }
  assert.notEqual(t.deleted, 'yes', `${where}: ${t.id} came back after its DELETE was answered`)
  if (t.deleted === 'maybe') t.deleted = 'no' // the kill came before the DELETE did anything
  const offset = h.offset
  assert.ok(offset !== undefined, `${where}: ${t.id} has no Upload-Offset after the restart`)
  // The offset is the stored bytes: the data file's size, or a pending checksum commit's.
  const size = await storedSize(join(storeDir, t.id))
  const marker = await readFile(join(storeDir, `${t.id}.commit`), 'utf8').catch(() => undefined)
  const committed = marker !== undefined && /^\d+\n$/.test(marker) ? Number(marker) : undefined
  assert.ok(
    offset === size || offset === committed,
    `${where}: ${t.id} offset ${offset}, data file ${size} bytes, marker ${marker}`,
  )
  assert.ok(offset >= t.acked, `${where}: ${t.id} lost acknowledged bytes: ${offset} < ${t.acked}`)
  assert.ok(offset <= t.source.length)
  const p = t.pending
  if (p !== undefined) {
    if (offset > p.before && offset < p.before + p.length) stats.midWrite++
    assert.ok(offset >= p.before && offset <= p.before + p.length, `${where}: offset ${offset}`)
    if (p.allOrNothing) {
      assert.ok(
        offset === p.before || offset === p.before + p.length,
        `${where}: checksummed PATCH half-stored: ${p.before} < ${offset} < ${p.before + p.length}`,
      )
    }
  } else if (t.kind !== 'final') assert.equal(offset, t.offset, `${where}: ${t.id} moved by itself`)
  // The length: declared once acknowledged; never a wrong one.
  if (h.length !== undefined) assert.equal(h.length, t.source.length, `${where}: Upload-Length`)
  if (t.declared) assert.equal(h.length, t.source.length, `${where}: lost a declared length`)
  if (h.length !== undefined) t.declared = true
  if (t.touched || offset !== t.offset) {
    const got = await getBody(t.id)
    assert.equal(got.status, 200, `${where}: GET ${t.id}`)
    assert.equal(got.body.length, offset, `${where}: GET length`)
    assert.equal(sha(got.body), sha(t.source.subarray(0, offset)), `${where}: stored bytes`)
  }
  t.offset = offset
  t.acked = offset
  t.pending = undefined
  t.touched = false
}

/** Every info file in the folder is a readable upload; finals found there are complete. */
async function scan(where: string): Promise<void> {
  for (const name of await readdir(storeDir)) {
    if (!name.endsWith('.json')) continue
    const id = name.slice(0, -'.json'.length)
    if (uploads.has(id)) continue
    const info = JSON.parse(await readFile(join(storeDir, name), 'utf8')) as {
      concat?: { kind: string }
    }
    assert.equal(info.concat?.kind, 'final', `${where}: unknown upload ${id}`)
    const h = await head(id) // completes it
    assert.equal(h.status, 200, `${where}: HEAD of a final found on disk`)
    assert.equal(h.offset, h.length, `${where}: the final is complete after HEAD`)
    const got = await getBody(id)
    assert.equal(got.status, 200)
    const match = pendingFinals.find((s) => s.length === got.body.length && s.equals(got.body))
    assert.ok(match !== undefined, `${where}: final ${id} holds none of the expected contents`)
    stats.foundFinals++
    uploads.set(id, {
      id,
      kind: 'final',
      source: match,
      acked: match.length,
      offset: match.length,
      declared: true,
      deleted: 'no',
      touched: false,
    })
  }
  pendingFinals = []
}

const ACTIONS = ['patch', 'patch', 'checksum', 'declare', 'declare', 'concat', 'delete'] as const

test(`SIGKILL campaign: ${ROUNDS} random kill points, invariants after every restart`, async (t) => {
  t.diagnostic(`seed ${SEED} (replay with TUSKIT_FAULT_SEED=${SEED})`)
  const started = Date.now()
  server = await startChildServer(CRASH_SERVER, [storeDir])
  let round = 0
  try {
    for (round = 1; round <= ROUNDS; round++) {
      const where = `seed ${SEED}, round ${round}`
      await replenish()
      const chosen = [pick(ACTIONS), ...(random() < 0.4 ? [pick(ACTIONS)] : [])]
      const running: Running[] = []
      for (const action of chosen) {
        const r = startAction(action)
        if (r !== undefined) running.push(r)
      }
      // Kill after a random delay, or once a random share of the first operation is on disk.
      const first = running[0]
      if (first?.progress !== undefined && random() < 0.6) {
        const want = Math.floor(first.progress.total * random())
        const { file } = first.progress
        const deadline = Date.now() + 5000
        let settled = false
        void first.done.then(() => (settled = true))
        while (!settled && Date.now() < deadline && (await file()) < want) await sleep(1)
      } else await sleep(int(0, first?.action === 'delete' ? 5 : 60))
      await server.kill('SIGKILL')
      const outcomes = await withTimeout(
        Promise.allSettled(running.map((r) => r.done)),
        30_000,
        'operations to settle after the kill',
      )
      for (const [i, o] of outcomes.entries()) {
        if (o.status === 'rejected') throw new Error(`${where}: ${String(o.reason)}`)
        const r = running[i] as Running
        const s = (stats.byAction[r.action] ??= { ops: 0, cut: 0 })
        s.ops++
        if (o.value) {
          s.cut++
          stats.cutOps++
        } else stats.completedOps++
      }
      server = await startChildServer(CRASH_SERVER, [storeDir])
      for (const u of [...uploads.values()]) await verify(u, where)
      await scan(where)
      stats.rounds++
      // Retire complete uploads now and then so the folder stays small.
      for (const u of [...uploads.values()]) {
        if (u.kind !== 'partial' && u.offset === u.source.length) {
          if (random() < 0.5) {
            const res = await request(urlOf(u.id), 'DELETE', { ...TUS })
            assert.ok(res !== 'cut' && res.status === 204)
            uploads.delete(u.id)
          }
        }
      }
    }
  } catch (err) {
    ;(err as Error).message = `[seed ${SEED}, round ${round}] ${(err as Error).message}`
    throw err
  }
  t.diagnostic(
    `${stats.rounds} kill points in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `${stats.cutOps} operations cut by the kill, ${stats.completedOps} answered before it; ` +
      `${stats.midWrite} PATCHes killed mid-write (part of the body stored); ` +
      `${stats.checks} upload checks; ` +
      `finals found after a cut POST: ${stats.foundFinals}; orphan data files after a cut DELETE: ${stats.orphans}; ` +
      `actions: ${JSON.stringify(stats.byAction)}`,
  )
  assert.ok(stats.rounds >= Math.min(ROUNDS, 50))
})
