#!/usr/bin/env node
// The benchmark: tuskit vs @tus/server vs a naive node:http server, each in its own process,
// driven by a raw-HTTP client in another process. See README.md.
//
//   node bench/run.mjs [--quick] [--workload NAME[,NAME]] [--servers NAME[,NAME]] [--runs N]
//                      [--profile] [--out NAME]
//   node bench/run.mjs --render NAME
//
// Run it through `npm run bench` (which builds dist/ and installs bench/ first).
import { fork, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { expectedSha256 } from './lib/data.mjs'
import { machineBusySeconds, vm } from './lib/proc.mjs'
import { FULL, QUICK, SERVERS, baselineServer } from './lib/workloads.mjs'
import { Ballast } from './lib/ballast.mjs'
import { aggregate, markdown } from './lib/report.mjs'
import { summarise, summaryMarkdown } from './cpuprofile-summary.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, 'results')
const GiB = 1024 ** 3

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workload: { type: 'string' },
    servers: { type: 'string' },
    runs: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    render: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (args.help) {
  console.log(`usage: node bench/run.mjs [options]
  --quick              smaller sizes, 1 run (under two minutes)
  --workload a,b       only these workloads: ${FULL.map((w) => w.name).join(', ')}
  --servers a,b        only these servers: ${SERVERS.map((s) => s.name).join(', ')}
  --runs N             runs per server and workload (default 5, quick 1)
  --profile            profile tuskit with --cpu-prof on 'single' and 'create-head'
  --out NAME           write results/NAME.md and .json (default: latest for a full run of
                       everything, partial otherwise)
  --render NAME        run nothing: rewrite results/NAME.md from results/NAME.json (after a
                       change to lib/report.mjs)
  --baseline DIR       also run the tuskit built in DIR (a checkout with dist/ built) as
                       'tuskit-baseline', interleaved with the others, and report tuskit
                       against it: two builds compared in one run`)
  process.exit(0)
}
if (args.render !== undefined) {
  await render(args.render)
  process.exit(0)
}

const pick = (list, filter, what) => {
  if (!filter) return list
  const names = filter.split(',').map((s) => s.trim())
  for (const n of names) {
    if (!list.some((x) => x.name === n)) {
      console.error(`unknown ${what} '${n}'; known: ${list.map((x) => x.name).join(', ')}`)
      process.exit(2)
    }
  }
  return list.filter((x) => names.includes(x.name))
}

const mode = args.profile ? 'profile' : args.quick ? 'quick' : 'full'
let workloads = pick(args.quick ? QUICK : FULL, args.workload, 'workload')
let servers = pick(SERVERS, args.servers, 'server')
let runs = Number(args.runs ?? (args.quick ? 1 : 5))
if (args.profile) {
  workloads = pick(args.quick ? QUICK : FULL, args.workload ?? 'single,create-head', 'workload')
  servers = pick(SERVERS, args.servers ?? 'tuskit', 'server')
  runs = 1
}
let baselineDist
if (args.baseline !== undefined) {
  baselineDist = resolve(args.baseline, 'dist')
  if (!fs.existsSync(join(baselineDist, 'index.js'))) {
    console.error(`--baseline: ${baselineDist}/index.js is missing: build that checkout first`)
    process.exit(2)
  }
  const at = servers.findIndex((s) => s.name === 'tuskit')
  servers = [...servers]
  servers.splice(at + 1, 0, baselineServer(args.baseline))
}
if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
  console.error('--runs must be an integer from 1 to 20')
  process.exit(2)
}
const outName =
  args.out ??
  (mode === 'full' && !args.workload && !args.servers && !args.runs ? 'latest' : 'partial')
const runTimeoutMs = args.quick ? 60_000 : 240_000
const quietWaitMs = args.quick ? 1_000 : 3_000

if (!fs.existsSync(join(here, '../dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)')
  process.exit(2)
}
for (const pkg of ['@tus/server', '@tus/file-store']) {
  if (
    servers.some((s) => s.name === 'tus-server') &&
    !fs.existsSync(join(here, 'node_modules', pkg))
  ) {
    console.error(`${pkg} is missing: run \`npm --prefix bench ci\` first (npm run bench does)`)
    process.exit(2)
  }
}

// ---- cleanup: every child and every temp directory, also on failure and on SIGINT ----

const children = new Set()
const tmpRoot = fs.mkdtempSync(join(os.tmpdir(), 'tuskit-bench-'))
const ballast = new Ballast(join(tmpRoot, 'ballast'))
function cleanup() {
  ballast.stop()
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {}
  }
  children.clear()
  fs.rmSync(tmpRoot, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers and removing ${tmpRoot}`)
    cleanup()
    process.exit(130)
  })
}

function spawnChild(script, argv, execArgv = []) {
  const child = fork(join(here, 'lib', script), argv, {
    execArgv,
    env:
      baselineDist === undefined
        ? process.env
        : { ...process.env, TUSKIT_BASELINE_DIST: baselineDist },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

function message(child, type, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanupListeners()
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (msg) => {
      if (msg?.type === type) {
        cleanupListeners()
        resolve(msg)
      }
    }
    const onExit = (code, signal) => {
      cleanupListeners()
      reject(new Error(`${what}: exited (${code ?? signal}) before answering`))
    }
    const cleanupListeners = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

async function stopChild(child, timeoutMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    child.send({ type: 'stop' })
  } catch {}
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await exited
  clearTimeout(timer)
}

// ---- one measured run: fresh server, fresh directory, one client ----

function checkDisk(bytesNeeded) {
  const s = fs.statfsSync(tmpRoot)
  const free = s.bavail * s.bsize
  const need = bytesNeeded * 1.2 + 1 * GiB
  if (free < need) {
    throw new Error(
      `not enough free disk in ${os.tmpdir()}: ${(free / GiB).toFixed(1)} GiB free, ${(need / GiB).toFixed(1)} GiB needed`,
    )
  }
}

function workloadBytes(w) {
  return w.kind === 'upload' ? w.uploads * w.size : 0
}

/** Page cache a run may fill: its data plus info files and slack. */
function ballastBytes(w) {
  return workloadBytes(w) + 128 * 1024 * 1024
}

async function sha256File(path) {
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk)
  }
  return hash.digest('hex')
}

/** A fast wrong server scores nothing: sizes and sha256 of every stored file. */
async function verifyFiles(server, w, directory, uploads) {
  const problems = []
  const expected = w.kind === 'upload' ? w.uploads : w.creations
  if (uploads.length !== expected) problems.push(`${uploads.length} of ${expected} uploads created`)
  if (new Set(uploads.map((u) => u.id)).size !== uploads.length) problems.push('duplicate ids')
  if (server.name === 'sink') return { files: 'n/a', problems }
  let checked = 0
  for (const { u, id, size } of uploads) {
    const path = join(directory, id)
    let st
    try {
      st = fs.statSync(path)
    } catch {
      // An upload with no bytes may have no data file yet (tuskit's FileStore creates it with
      // the first byte); that it exists is what the HEAD phase checks.
      if (size === 0) {
        checked++
        continue
      }
      problems.push(`${id}: no file at ${path}`)
      continue
    }
    if (st.size !== size) {
      problems.push(`${id}: ${st.size} bytes stored, ${size} expected`)
      continue
    }
    if (size > 0 && (await sha256File(path)) !== expectedSha256(u, size)) {
      problems.push(`${id}: sha256 differs from the source`)
      continue
    }
    checked++
  }
  return { files: checked, problems: problems.slice(0, 20), problemCount: problems.length }
}

let clientProc
let jobs = 0

/** The one client process, started on first use and again after a failure. */
function clientProcess() {
  if (clientProc === undefined || clientProc.exitCode !== null || clientProc.signalCode !== null) {
    clientProc = spawnChild('client.mjs', [])
  }
  return clientProc
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Other processes on this machine (test suites, builds) distort the figures. Wait, for at
 * most `maxMs`, for half a second in which the machine is less than 15 % busy; returns the busy
 * share of the last second sampled.
 */
async function waitQuiet(maxMs) {
  const deadline = Date.now() + maxMs
  let share
  do {
    const b0 = machineBusySeconds()
    await sleep(500)
    share = (machineBusySeconds() - b0) / 0.5 / os.cpus().length
    if (share < 0.15) break
  } while (Date.now() < deadline)
  return share
}

async function oneRun(w, server, runIndex, next) {
  checkDisk(workloadBytes(w) + ballastBytes(w))
  const record = { run: runIndex + 1, ok: false }
  record.machineBusyBefore = await waitQuiet(quietWaitMs)
  const directory = fs.mkdtempSync(join(tmpRoot, `${server.name}-${w.name}-`))
  const execArgv = []
  let profilePath
  if (args.profile) {
    fs.mkdirSync(resultsDir, { recursive: true })
    profilePath = join(resultsDir, `${server.name}-${w.name}.cpuprofile`)
    fs.rmSync(profilePath, { force: true })
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${resultsDir}`,
      `--cpu-prof-name=${server.name}-${w.name}.cpuprofile`,
    )
  }
  const srv = spawnChild('server.mjs', [server.name, directory], execArgv)
  try {
    const { port, pid } = await message(srv, 'ready', 15_000, `${server.name} server start`)
    record.serverRssAtStartBytes = vm(pid, 'VmRSS')
    const client = clientProcess()
    const job = ++jobs
    const answer = message(client, 'result', runTimeoutMs, `${w.name} against ${server.name}`)
    ballast.release()
    client.send({
      type: 'job',
      job,
      workload: { ...w, idleTimeoutMs: 60_000 },
      port,
      serverPid: pid,
    })
    let result
    try {
      result = await answer
    } catch (err) {
      clientProc?.kill('SIGKILL') // a client stuck in a run cannot be trusted with the next
      clientProc = undefined
      throw err
    } finally {
      ballast.stop()
    }
    record.peakRssBytes = vm(pid, 'VmHWM')
    record.phases = result.phases
    await stopChild(srv)
    const verify = await verifyFiles(server, w, directory, result.uploads)
    record.verify = verify
    record.errors = [...result.errors, ...verify.problems]
    record.errorCount = result.errorCount + (verify.problemCount ?? verify.problems.length)
    record.ok = record.errorCount === 0
  } catch (err) {
    record.errors = [String(err?.message ?? err)]
    record.errorCount = 1
  } finally {
    await stopChild(srv)
    ballast.stop()
    fs.rmSync(directory, { recursive: true, force: true })
    // Start the next run with no dirty pages of this one queued for writeback.
    execFileSync('sync')
    // Keep the memory just freed warm for the next run (see lib/ballast.mjs).
    if (next) ballast.fill(ballastBytes(next))
  }
  if (profilePath) record.profile = profilePath
  return record
}

// ---- the benchmark ----

function environment() {
  const git = (...a) => {
    try {
      return execFileSync('git', a, { cwd: here, encoding: 'utf8' }).trim()
    } catch {
      return undefined
    }
  }
  const version = (pkg) => {
    try {
      return JSON.parse(fs.readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8'))
        .version
    } catch {
      return undefined
    }
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / GiB),
    kernel: os.release(),
    tmpdir: os.tmpdir(),
    commit: git('rev-parse', '--short', 'HEAD'),
    srcChanged: (git('status', '--porcelain', '--', '../src') ?? '') !== '',
    tusServer: version('@tus/server'),
    tusFileStore: version('@tus/file-store'),
  }
}

const started = Date.now()
const env = environment()
console.error(
  `tuskit bench (${mode}): ${workloads.map((w) => w.name).join(', ')} × ${servers.map((s) => s.name).join(', ')} × ${runs} run(s); temp ${tmpRoot}`,
)
const records = []
const plan = []
for (const w of workloads) {
  for (let r = 0; r < runs; r++) for (const server of servers) plan.push({ w, r, server })
}
try {
  ballast.fill(ballastBytes(plan[0].w))
  for (let i = 0; i < plan.length; i++) {
    const { w, r, server } = plan[i]
    if (w.kind === 'upload' && r === 0 && server === servers[0]) {
      // The expected hashes, before any timing starts.
      for (let u = 0; u < w.uploads; u++) expectedSha256(u, w.size)
    }
    const t0 = Date.now()
    const record = await oneRun(w, server, r, plan[i + 1]?.w)
    records.push({ workload: w.name, server: server.name, ...record })
    const main = record.phases?.[record.phases.length - 1]
    const what = main
      ? w.kind === 'upload'
        ? `${(main.bytes / 2 ** 20 / main.wallS).toFixed(0)} MiB/s, ${(main.serverCpu.total / (main.bytes / GiB)).toFixed(2)} CPU s/GiB`
        : record.phases
            .map((p) => `${p.name} ${(p.requests / p.wallS).toFixed(0)} req/s`)
            .join(', ')
      : ''
    console.error(
      `  ${w.name} run ${r + 1}/${runs} ${server.name.padEnd(15)} ${record.ok ? 'ok  ' : 'FAIL'} ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)${record.ok ? '' : `\n    ${record.errors.slice(0, 5).join('\n    ')}`}`,
    )
  }
} finally {
  if (clientProc) await stopChild(clientProc, 2_000)
  cleanup()
}
const elapsedS = (Date.now() - started) / 1000

const summary = aggregate(workloads, servers, records)
const report = { mode, runs, elapsedS, environment: env, workloads, servers, summary, records }
let md = markdown(report)
if (args.profile) md += profileSection(records) ?? ''

fs.mkdirSync(resultsDir, { recursive: true })
const base = args.profile ? 'profile' : outName
const mdPath = join(resultsDir, `${base}.md`)
const jsonPath = join(resultsDir, `${base}.json`)
fs.writeFileSync(mdPath, md)
fs.writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n')
await prettify([mdPath, jsonPath])
process.stdout.write(fs.readFileSync(mdPath, 'utf8'))
console.error(`\nwrote ${mdPath} and ${jsonPath} in ${elapsedS.toFixed(0)} s`)
process.exit(records.every((r) => r.ok) ? 0 : 1)

/** The CPU profiles' summaries, one per phase; `undefined` when no profile file is left. */
function profileSection(records) {
  const parts = []
  for (const rec of records) {
    if (!rec.profile || !fs.existsSync(rec.profile)) continue
    const profile = JSON.parse(fs.readFileSync(rec.profile, 'utf8'))
    for (const phase of rec.phases ?? []) {
      const c = phase.serverCpu
      const note = `The server process used ${c.total.toFixed(2)} s of CPU in this phase (${c.user.toFixed(2)} s user, ${c.system.toFixed(2)} s system, all threads: the profile sees only the main thread, not the libuv threads that run file system calls, nor the kernel) over ${phase.wallS.toFixed(2)} s.`
      const s = summarise(profile, phase.monotonicUs)
      parts.push(
        summaryMarkdown(
          `${rec.server}, ${rec.workload}: ${phase.name} phase`,
          s,
          rec.profile,
          20,
          note,
        ),
      )
    }
  }
  return parts.length > 0 ? `\n## CPU profiles\n\n${parts.join('\n')}` : undefined
}

/**
 * Rewrites results/NAME.md from results/NAME.json with the current lib/report.mjs. The CPU
 * profile summaries of a profile run are made again from its .cpuprofile files when they are
 * still there (they are not committed); otherwise the file's own summaries are kept.
 */
async function render(name) {
  const mdPath = join(resultsDir, `${name}.md`)
  const report = JSON.parse(fs.readFileSync(join(resultsDir, `${name}.json`), 'utf8'))
  let md = markdown(report)
  if (report.mode === 'profile') {
    const previous = fs.existsSync(mdPath) ? fs.readFileSync(mdPath, 'utf8') : ''
    const at = previous.indexOf('\n## CPU profiles\n')
    md += profileSection(report.records) ?? (at >= 0 ? previous.slice(at) : '')
  }
  fs.writeFileSync(mdPath, md)
  await prettify([mdPath])
  console.error(`wrote ${mdPath}`)
}

/** Formats the results with the repo's prettier, when installed, so `npm test` stays green. */
async function prettify(paths) {
  let prettier
  try {
    prettier = await import('prettier')
  } catch {
    return
  }
  for (const path of paths) {
    const options = (await prettier.resolveConfig(path)) ?? {}
    const text = fs.readFileSync(path, 'utf8')
    fs.writeFileSync(path, await prettier.format(text, { ...options, filepath: path }))
  }
}
