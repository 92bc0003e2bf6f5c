// DELETE latency in a crowded upload folder: a FileStore server (fsync on, the default) on a
// folder that already holds `--files` other files; each run creates uploads and deletes them,
// one after the other and then all at once, while one PATCH runs beside the burst. Each build
// given (a `dist` folder built with `npm run build`) runs in its own process, interleaved run
// by run, on the same folder. Nothing here runs from `npm test`.
//
//   node bench/delete-latency.mjs [--files 200000] [--runs 5] [--uploads 50] [--burst 25] DIST...
//
// For example, this checkout against another one: `node bench/delete-latency.mjs dist
// ../other/dist`. Before each server starts, an old temporary file is planted; the report says
// how long a build took to remove it by itself (a sweep at start), or `-` if it did not.
import { fork } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const TUS = { 'Tus-Resumable': '1.0.0' }

/** The child: one FileStore server on `directory`, built from `dist`. */
async function serve(dist, directory) {
  const { createServer } = await import('node:http')
  const { createTusHandler, FileStore } = await import(pathToFileURL(join(dist, 'index.js')).href)
  const tus = createTusHandler(new FileStore({ directory }), { path: '/files' })
  const server = createServer((req, res) => tus(req, res))
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('disconnect', () => process.exit(0))
}

function option(args, name, fallback) {
  const i = args.indexOf(name)
  if (i === -1) return fallback
  const value = Number(args[i + 1])
  args.splice(i, 2)
  return value
}

async function main() {
  const args = process.argv.slice(2)
  const files = option(args, '--files', 200_000)
  const runs = option(args, '--runs', 5)
  const uploads = option(args, '--uploads', 50)
  const burst = option(args, '--burst', 25)
  const builds = args.map((d) => resolve(d))
  if (builds.length === 0) throw new Error('usage: delete-latency.mjs [options] DIST...')
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-delete-latency-'))
  const store = join(dir, 'store')
  try {
    mkdirSync(store)
    for (let i = 0; i < files; i++) closeSync(openSync(join(store, `filler-${i}`), 'w'))
    console.log(`${files} other files in ${store}; ${runs} runs per build`)
    const results = new Map(builds.map((b) => [b, []]))
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? builds : [...builds].reverse()
      for (const build of order)
        results.get(build).push(await measure(build, store, uploads, burst))
    }
    report(results, uploads, burst)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function measure(build, store, uploads, burst) {
  const planted = join(store, 'planted.json.0123456789ab.tmp')
  writeFileSync(planted, '{')
  const old = new Date(Date.now() - 2 * 3600_000)
  utimesSync(planted, old, old)
  const child = fork(new URL(import.meta.url).pathname, ['--serve', join(build, ''), store])
  const { port } = await new Promise((r) => child.once('message', r))
  const endpoint = `http://127.0.0.1:${port}/files`
  const started = performance.now()
  let sweep
  while (performance.now() - started < 5000) {
    if (!existsSync(planted)) {
      sweep = performance.now() - started
      break
    }
    await sleep(5)
  }
  await rm(planted, { force: true })
  try {
    const one = await Promise.all(Array.from({ length: uploads }, () => create(endpoint)))
    const latencies = []
    for (const url of one) latencies.push(await timed(() => del(url)))
    const many = await Promise.all(Array.from({ length: burst }, () => create(endpoint)))
    const other = await create(endpoint, 1 << 20)
    const t0 = performance.now()
    const [patch] = await Promise.all([
      timed(() => send(other, 'PATCH', patchHeaders(0), Buffer.alloc(1 << 20))),
      ...many.map((url) => del(url)),
    ])
    const wall = performance.now() - t0
    await del(other)
    return { median: median(latencies), wall, patch, sweep }
  } finally {
    child.disconnect()
    await new Promise((r) => child.once('exit', r))
  }
}

function patchHeaders(offset) {
  return {
    ...TUS,
    'Upload-Offset': String(offset),
    'Content-Type': 'application/offset+octet-stream',
  }
}

async function send(url, method, headers, body) {
  const res = await fetch(url, { method, headers, body })
  await res.arrayBuffer()
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status}`)
  return res
}

/** An upload with 4 bytes stored (a data file and an info file), or of `size` with none. */
async function create(endpoint, size) {
  const headers = { ...TUS, 'Upload-Length': String(size ?? 4) }
  const url = (await send(endpoint, 'POST', headers)).headers.get('location')
  if (size === undefined) await send(url, 'PATCH', patchHeaders(0), Buffer.from('abcd'))
  return url
}

function del(url) {
  return send(url, 'DELETE', TUS)
}

async function timed(fn) {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function report(results, uploads, burst) {
  const ms = (x) => (x === undefined ? '-' : `${x.toFixed(1)} ms`)
  console.log(
    `\n| build | DELETE, median of ${uploads} one at a time | ${burst} DELETEs at once | ` +
      `1 MiB PATCH beside them | old temporary file removed at start after |`,
  )
  console.log('| --- | --- | --- | --- | --- |')
  for (const [build, rs] of results) {
    const sweeps = rs.map((r) => r.sweep)
    const sweep = sweeps.includes(undefined) ? undefined : median(sweeps)
    const pick = (k) => ms(median(rs.map((r) => r[k])))
    console.log(
      `| ${build} | ${pick('median')} | ${pick('wall')} | ${pick('patch')} | ${ms(sweep)} |`,
    )
  }
  console.log('\nEach figure: the median over runs (the first column: of each run’s median).')
  console.log('Per run, in ms: one DELETE / all at once / the PATCH beside them')
  for (const [build, rs] of results) {
    const each = rs.map((r) => [r.median.toFixed(1), r.wall.toFixed(0), r.patch.toFixed(0)])
    console.log(`${build}: ${each.map((xs) => xs.join('/')).join('  ')}`)
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4])
else await main()
