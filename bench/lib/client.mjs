// The load generator, run as its own process by run.mjs. It gets jobs over IPC:
//   { type: 'job', job, workload, port, serverPid }
// runs each with raw HTTP/1.1 over keep-alive sockets, checks every reply, and answers
//   { type: 'result', job, phases, uploads, errors, errorCount }
// Server CPU is read from /proc/<serverPid>/stat at the edges of each phase, so the server
// does no extra work for it.
import { Connection } from './http-client.mjs'
import { unitsOf } from './data.mjs'
import { cpuSeconds, machineCpu } from './proc.mjs'

const TUS = { 'Tus-Resumable': '1.0.0' }
const MAX_ERRORS_KEPT = 20

class Run {
  constructor(port, serverPid, idleTimeoutMs) {
    this.port = port
    this.serverPid = serverPid
    this.idleTimeoutMs = idleTimeoutMs
    this.errors = []
    this.errorCount = 0
    this.connections = []
  }

  connection() {
    const c = new Connection({
      host: '127.0.0.1',
      port: this.port,
      idleTimeoutMs: this.idleTimeoutMs,
    })
    this.connections.push(c)
    return c
  }

  closeAll() {
    for (const c of this.connections) c.close()
  }

  error(message) {
    this.errorCount++
    if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(message)
  }

  /** Runs `fn(phase)` as one measured phase. */
  async phase(name, fn) {
    const phase = { name, requests: 0, bytes: 0, latencies: {} }
    const machine0 = machineCpu()
    const cpu0 = cpuSeconds(this.serverPid)
    const own0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    await fn(phase)
    const t1 = process.hrtime.bigint()
    const wallS = Number(t1 - t0) / 1e9
    const cpu1 = cpuSeconds(this.serverPid)
    const own = process.cpuUsage(own0)
    const machine1 = machineCpu()
    const serverCpuS = cpu1.user - cpu0.user + cpu1.system - cpu0.system
    const clientCpuS = (own.user + own.system) / 1e6
    const latencies = {}
    for (const [method, list] of Object.entries(phase.latencies)) latencies[method] = summary(list)
    return {
      name,
      requests: phase.requests,
      bytes: phase.bytes,
      wallS,
      // CLOCK_MONOTONIC in µs, the clock of .cpuprofile timestamps: cuts a profile to a phase.
      monotonicUs: [Number(t0 / 1000n), Number(t1 / 1000n)],
      serverCpu: {
        user: cpu1.user - cpu0.user,
        system: cpu1.system - cpu0.system,
        total: serverCpuS,
      },
      clientCpuS,
      clientCpu: { user: own.user / 1e6, system: own.system / 1e6 },
      // CPU used meanwhile by other processes (a noise indicator), and by interrupts and soft
      // interrupts (where the kernel does part of loopback TCP), in seconds of CPU.
      otherCpuS: Math.max(0, machine1.tasks - machine0.tasks - serverCpuS - clientCpuS),
      irqCpuS: machine1.irq - machine0.irq,
      stealCpuS: machine1.steal - machine0.steal,
      latencies,
    }
  }

  async send(phase, conn, method, path, headers, length, body) {
    const res = await conn.request(method, path, { ...TUS, ...headers }, length, body)
    phase.requests++
    ;(phase.latencies[method] ??= []).push(res.ms)
    return res
  }

  /** POST, then PATCHes of `chunk` bytes; checks every status and Upload-Offset. */
  async upload(phase, conn, u, size, chunk) {
    const created = await this.send(phase, conn, 'POST', '/files', { 'Upload-Length': size }, 0)
    if (created.status !== 201 || !created.headers.location) {
      this.error(`POST: status ${created.status} ${created.body.slice(0, 200)}`)
      return undefined
    }
    const path = new URL(created.headers.location, `http://127.0.0.1:${this.port}`).pathname
    const id = path.slice(path.lastIndexOf('/') + 1)
    let offset = 0
    while (offset < size) {
      const n = Math.min(chunk, size - offset)
      const res = await this.send(
        phase,
        conn,
        'PATCH',
        path,
        { 'Upload-Offset': offset, 'Content-Type': 'application/offset+octet-stream' },
        n,
        unitsOf(u, offset, offset + n),
      )
      phase.bytes += n
      const expected = offset + n
      if (res.status !== 204 || res.headers['upload-offset'] !== String(expected)) {
        this.error(
          `PATCH ${id} @${offset}+${n}: status ${res.status}, Upload-Offset ${res.headers['upload-offset']} (expected ${expected}) ${res.body.slice(0, 200)}`,
        )
        return { u, id, size }
      }
      offset = expected
    }
    return { u, id, size }
  }
}

function summary(list) {
  const sorted = Float64Array.from(list).sort()
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  let sum = 0
  for (const v of sorted) sum += v
  return {
    count: sorted.length,
    meanMs: sum / sorted.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1],
  }
}

/** `count` tasks over `concurrency` workers, each worker with its own connection. */
async function pool(run, count, concurrency, task) {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      const conn = run.connection()
      for (;;) {
        const i = next++
        if (i >= count) return
        await task(conn, i)
      }
    }),
  )
}

async function runWorkload(w, port, serverPid) {
  const run = new Run(port, serverPid, w.idleTimeoutMs)
  const uploads = []
  const phases = []
  try {
    if (w.kind === 'upload') {
      phases.push(
        await run.phase(w.phase ?? 'upload', (phase) =>
          pool(run, w.uploads, w.concurrency, async (conn, i) => {
            const up = await run.upload(phase, conn, i, w.size, w.chunk)
            if (up) uploads.push(up)
          }),
        ),
      )
    } else if (w.kind === 'create-head') {
      const created = []
      phases.push(
        await run.phase('post', (phase) =>
          pool(run, w.creations, w.concurrency, async (conn, i) => {
            const res = await run.send(
              phase,
              conn,
              'POST',
              '/files',
              { 'Upload-Length': w.length },
              0,
            )
            if (res.status !== 201 || !res.headers.location) {
              run.error(`POST: status ${res.status} ${res.body.slice(0, 200)}`)
              return
            }
            const path = new URL(res.headers.location, `http://127.0.0.1:${port}`).pathname
            created[i] = path
            uploads.push({ u: i, id: path.slice(path.lastIndexOf('/') + 1), size: 0 })
          }),
        ),
      )
      const paths = created.filter(Boolean)
      if (paths.length > 0) {
        phases.push(
          await run.phase('head', (phase) =>
            pool(run, w.heads, w.concurrency, async (conn, i) => {
              const path = paths[i % paths.length]
              const res = await run.send(phase, conn, 'HEAD', path, {}, 0)
              if (
                res.status !== 200 ||
                res.headers['upload-offset'] !== '0' ||
                res.headers['upload-length'] !== String(w.length)
              ) {
                run.error(
                  `HEAD ${path}: status ${res.status}, Upload-Offset ${res.headers['upload-offset']}, Upload-Length ${res.headers['upload-length']}`,
                )
              }
            }),
          ),
        )
      }
    } else {
      throw new Error(`unknown workload kind ${w.kind}`)
    }
  } catch (err) {
    run.error(`client: ${err?.stack ?? err}`)
  } finally {
    run.closeAll()
  }
  return { phases, uploads, errors: run.errors, errorCount: run.errorCount }
}

// One process for all runs, so the client's code is warm after the first run.
process.on('message', async (msg) => {
  if (msg?.type === 'stop') process.exit(0)
  if (msg?.type !== 'job') return
  const result = await runWorkload(msg.workload, msg.port, msg.serverPid)
  process.send({ type: 'result', job: msg.job, ...result })
})
process.on('disconnect', () => process.exit(1))
