// Medians over runs, ratios, and the Markdown report.
const GiB = 1024 ** 3
const MiB = 1024 ** 2

const MAIN_METHOD = { upload: 'PATCH', post: 'POST', head: 'HEAD' }

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const m = Math.floor(v.length / 2)
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}

/** Per workload, phase and server: medians over the runs that passed every check. */
export function aggregate(workloads, servers, records) {
  const out = []
  for (const w of workloads) {
    const phaseNames = w.kind === 'upload' ? ['upload'] : ['post', 'head']
    for (const phaseName of phaseNames) {
      const rows = {}
      for (const s of servers) {
        const all = records.filter((r) => r.workload === w.name && r.server === s.name)
        const ok = all.filter((r) => r.ok)
        const ps = ok.map((r) => r.phases.find((p) => p.name === phaseName)).filter(Boolean)
        const method = MAIN_METHOD[phaseName]
        const perRun = ps.map((p) => ({
          mibPerS: p.bytes / MiB / p.wallS,
          reqPerS: (p.latencies[method]?.count ?? 0) / p.wallS,
          p99Ms: p.latencies[method]?.p99Ms,
          p50Ms: p.latencies[method]?.p50Ms,
          cpuS: p.serverCpu.total,
          cpuSysShare: p.serverCpu.total > 0 ? p.serverCpu.system / p.serverCpu.total : undefined,
          cpuPerGiB: p.bytes > 0 ? p.serverCpu.total / (p.bytes / GiB) : undefined,
          cpuPer1kReq: p.serverCpu.total / (p.requests / 1000),
          clientCpuPct: (100 * p.clientCpuS) / p.wallS,
          otherCpuPct: p.otherCpuS === undefined ? undefined : (100 * p.otherCpuS) / p.wallS,
          wallS: p.wallS,
        }))
        const m = (k) => median(perRun.map((x) => x[k]))
        const rss = ok.map((r) => r.peakRssBytes)
        rows[s.name] = {
          runs: all.length,
          runsOk: ok.length,
          errors: all.flatMap((r) => r.errors ?? []).slice(0, 10),
          mibPerS: w.kind === 'upload' ? m('mibPerS') : undefined,
          reqPerS: m('reqPerS'),
          p50Ms: m('p50Ms'),
          p99Ms: m('p99Ms'),
          cpuS: m('cpuS'),
          cpuSysShare: m('cpuSysShare'),
          cpuPerGiB: m('cpuPerGiB'),
          cpuPer1kReq: m('cpuPer1kReq'),
          clientCpuPct: m('clientCpuPct'),
          otherCpuPct: m('otherCpuPct'),
          peakRssMiB: rss.length ? Math.max(...rss) / MiB : undefined,
          peakRssMedianMiB: median(rss.map((b) => b / MiB)),
          perRun,
        }
      }
      const ratio = (a, b) => (a !== undefined && b ? a / b : undefined)
      for (const s of servers) {
        const r = rows[s.name]
        const rate = (x) => (w.kind === 'upload' ? x?.mibPerS : x?.reqPerS)
        r.vsTusServer = {
          throughput: ratio(rate(r), rate(rows['tus-server'])),
          p99: ratio(r.p99Ms, rows['tus-server']?.p99Ms),
          cpu: ratio(r.cpuS, rows['tus-server']?.cpuS),
        }
        r.vsBaseline = {
          throughput: ratio(rate(r), rate(rows['tuskit-baseline'])),
          p99: ratio(r.p99Ms, rows['tuskit-baseline']?.p99Ms),
          cpu: ratio(r.cpuS, rows['tuskit-baseline']?.cpuS),
        }
        r.vsNaive = {
          throughput: ratio(rate(r), rate(rows.naive)),
          p99: ratio(r.p99Ms, rows.naive?.p99Ms),
          cpu: ratio(r.cpuS, rows.naive?.cpuS),
        }
      }
      out.push({ workload: w.name, title: w.title, phase: phaseName, kind: w.kind, rows })
    }
  }
  return out
}

const f = (x, digits = 0) => (x === undefined ? '–' : x.toFixed(digits))
const x2 = (x) => (x === undefined ? '–' : `${x.toFixed(2)}×`)

export function markdown(report) {
  const { summary, servers, environment: env, mode, runs, elapsedS } = report
  const label = Object.fromEntries(servers.map((s) => [s.name, s.label]))
  const lines = []
  lines.push(`# tuskit benchmark results (${mode})`, '')
  lines.push(
    `${env.date.slice(0, 16).replace('T', ' ')} UTC · Node ${env.node} · ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB · Linux ${env.kernel} · files in ${env.tmpdir} · tuskit ${env.commit}${env.srcChanged ? ' (+ uncommitted src/ changes)' : ''} · @tus/server ${env.tusServer ?? '–'} + @tus/file-store ${env.tusFileStore ?? '–'} · ${runs} run(s) per cell, medians shown · took ${Math.round(elapsedS)} s`,
    '',
  )
  lines.push('| Server | fsync |', '| --- | --- |')
  for (const s of servers) lines.push(`| ${s.label} | ${s.fsync} |`)
  lines.push('')

  for (const g of summary) {
    const heading =
      g.kind === 'upload' ? g.title : `${g.title}: ${g.phase === 'post' ? 'POST' : 'HEAD'}`
    lines.push(`## ${heading} (\`${g.workload}\`${g.phase !== 'upload' ? ` ${g.phase}` : ''})`, '')
    const method = MAIN_METHOD[g.phase]
    if (g.kind === 'upload') {
      lines.push(
        `| Server | MiB/s | ${method}/s | × @tus/server | × naive | p99 ${method} ms | CPU s/GiB | CPU × @tus/server | Peak RSS MiB | Client CPU | Other CPU | Runs ok |`,
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      )
    } else {
      lines.push(
        `| Server | ${method}/s | × @tus/server | × naive | p99 ${method} ms | CPU s/1k req | CPU × @tus/server | Peak RSS MiB | Client CPU | Other CPU | Runs ok |`,
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      )
    }
    for (const s of servers) {
      const r = g.rows[s.name]
      const ok = `${r.runsOk}/${r.runs}`
      if (r.runsOk === 0) {
        lines.push(
          `| ${label[s.name]} | FAIL | ${g.kind === 'upload' ? '| ' : ''}| | | | | | | | | ${ok} |`,
        )
        continue
      }
      const client = `${f(r.clientCpuPct)} % | ${f(r.otherCpuPct)} %`
      if (g.kind === 'upload') {
        lines.push(
          `| ${label[s.name]} | ${f(r.mibPerS)} | ${f(r.reqPerS, r.reqPerS < 10 ? 2 : 0)} | ${x2(r.vsTusServer.throughput)} | ${x2(r.vsNaive.throughput)} | ${f(r.p99Ms)} | ${f(r.cpuPerGiB, 2)} | ${x2(r.vsTusServer.cpu)} | ${f(r.peakRssMiB)} | ${client} | ${ok} |`,
        )
      } else {
        lines.push(
          `| ${label[s.name]} | ${f(r.reqPerS)} | ${x2(r.vsTusServer.throughput)} | ${x2(r.vsNaive.throughput)} | ${f(r.p99Ms, 1)} | ${f(r.cpuPer1kReq, 3)} | ${x2(r.vsTusServer.cpu)} | ${f(r.peakRssMiB)} | ${client} | ${ok} |`,
        )
      }
    }
    const sink = g.rows.sink
    if (sink?.runsOk > 0 && sink.clientCpuPct > 0) {
      const rate = g.kind === 'upload' ? sink.mibPerS : sink.reqPerS
      const unit = g.kind === 'upload' ? 'MiB/s' : `${method}/s`
      lines.push(
        '',
        `Client ceiling: against the discarding server the client used ${f(sink.clientCpuPct)} % of one core for ${f(rate)} ${unit}, so on its own core it could drive about ${f((rate * 100) / sink.clientCpuPct)} ${unit}.`,
      )
    }
    const failed = servers.filter((s) => g.rows[s.name].runsOk < g.rows[s.name].runs)
    for (const s of failed) {
      lines.push(
        '',
        `${label[s.name]} failed a check: ${g.rows[s.name].errors.slice(0, 3).join('; ')}`,
      )
    }
    lines.push('')
  }

  const base = summary.filter((g) => g.rows.tuskit?.vsBaseline?.throughput !== undefined)
  if (base.length > 0) {
    lines.push('## tuskit against the baseline build (both fsync: true)', '')
    lines.push('| Workload | Throughput × baseline | p99 × baseline | CPU × baseline |')
    lines.push('| --- | ---: | ---: | ---: |')
    for (const g of base) {
      const v = g.rows.tuskit.vsBaseline
      const name = g.phase === 'upload' ? g.workload : `${g.workload} ${g.phase}`
      lines.push(`| ${name} | ${x2(v.throughput)} | ${x2(v.p99)} | ${x2(v.cpu)} |`)
    }
    lines.push('')
  }

  const t = goals(summary)
  if (t.length > 0) {
    lines.push('## Goals (tuskit with its default fsync: true, vs @tus/server)', '')
    lines.push('| Workload | Figure | Goal | tuskit | tuskit fsync: false | Met (default) |')
    lines.push('| --- | --- | --- | ---: | ---: | --- |')
    for (const row of t) {
      lines.push(
        `| ${row.workload} | ${row.figure} | ${row.goal} | ${row.value} | ${row.nofsync} | ${row.met === undefined ? '–' : row.met ? 'yes' : '**no**'} |`,
      )
    }
    lines.push('')
  }
  return lines.join('\n')
}

/**
 * tuskit's performance goals against @tus/server (and, for one PATCH, the naive server), as
 * rows: only for the workloads that were run. docs/benchmark.md explains them.
 */
export function goals(summary) {
  const out = []
  const get = (workload, phase = 'upload') =>
    summary.find((g) => g.workload === workload && g.phase === phase)?.rows
  const add = (workload, figure, goal, pick, test, fmt = x2) => {
    const rows = workload.rows
    if (!rows?.tuskit) return
    const v = pick(rows.tuskit)
    const n = rows['tuskit-nofsync'] ? pick(rows['tuskit-nofsync']) : undefined
    out.push({
      workload: workload.name,
      figure,
      goal,
      value: fmt(v),
      nofsync: fmt(n),
      met: v === undefined ? undefined : test(v),
    })
  }
  const w = (name, phase) => ({ name: phase ? `${name} ${phase}` : name, rows: get(name, phase) })
  const mib = (x) => (x === undefined ? '–' : `${x.toFixed(0)} MiB`)
  add(
    w('single'),
    'MiB/s × @tus/server',
    '≥ 1.5×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 1.5,
  )
  add(
    w('single'),
    'MiB/s × naive',
    '≥ 1.0×',
    (r) => r.vsNaive.throughput,
    (v) => v >= 1.0,
  )
  add(
    w('single'),
    'CPU s/GiB × @tus/server',
    '≤ 0.65×',
    (r) => r.vsTusServer.cpu,
    (v) => v <= 0.65,
  )
  add(
    w('chunks8m'),
    'MiB/s × @tus/server',
    '≥ 1.4×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 1.4,
  )
  add(
    w('chunks8m'),
    'CPU s/GiB × @tus/server',
    '≤ 0.65×',
    (r) => r.vsTusServer.cpu,
    (v) => v <= 0.65,
  )
  add(
    w('chunks256k'),
    'PATCH/s × @tus/server',
    '≥ 1.8×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 1.8,
  )
  add(
    w('concurrent'),
    'MiB/s × @tus/server',
    '≥ 1.8×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 1.8,
  )
  add(
    w('concurrent'),
    'p99 PATCH × @tus/server',
    '≤ 0.5×',
    (r) => r.vsTusServer.p99,
    (v) => v <= 0.5,
  )
  add(
    w('concurrent'),
    'CPU s/GiB × @tus/server',
    '≤ 0.65×',
    (r) => r.vsTusServer.cpu,
    (v) => v <= 0.65,
  )
  add(
    w('concurrent'),
    'server peak RSS',
    '< 100 MiB',
    (r) => r.peakRssMiB,
    (v) => v < 100,
    mib,
  )
  add(
    w('create-head', 'post'),
    'POST/s × @tus/server',
    '≥ 1.5×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 1.5,
  )
  add(
    w('create-head', 'head'),
    'HEAD/s × @tus/server',
    '≥ 4×',
    (r) => r.vsTusServer.throughput,
    (v) => v >= 4,
  )
  return out
}
