#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from node --cpu-prof): where the time went, by function (self
// time), by area (tuskit, node internals, GC, …), and inclusive time of tuskit's own functions.
//
//   node bench/cpuprofile-summary.mjs results/tuskit-single.cpuprofile [--top 25]
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { relative } from 'node:path'

function shortUrl(url) {
  if (!url) return ''
  if (url.startsWith('node:')) return url
  let path = url.startsWith('file://') ? fileURLToPath(url) : url
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length)
  const dist = path.lastIndexOf('/dist/')
  if (dist >= 0) return `tuskit/${path.slice(dist + 1)}`
  return relative(process.cwd(), path)
}

function area(node) {
  const { functionName, url } = node.callFrame
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector'
    if (functionName === '(idle)') return 'idle (waiting for I/O)'
    if (functionName === '(program)') return 'native / V8 (program)'
    return `native: ${functionName || '(anonymous)'}`
  }
  if (url.startsWith('node:')) {
    if (/node:(internal\/)?(fs|streams?)/.test(url)) return 'node: fs and streams'
    if (/node:(internal\/)?(_http|http)/.test(url)) return 'node: http'
    if (/node:(internal\/)?(net|stream_base)/.test(url)) return 'node: net'
    return 'node: other internals'
  }
  if (url.includes('/dist/')) return 'tuskit (dist/)'
  if (url.includes('node_modules')) return 'dependencies'
  return 'other JavaScript'
}

/**
 * Returns `{ totalMs, busyMs, byFunction, byArea, inclusive }`, times in ms. With `window`
 * (`[fromUs, toUs]`, CLOCK_MONOTONIC µs like the profile's timestamps) only the samples taken
 * in it count.
 */
export function summarise(profile, window) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const { samples, timeDeltas } = profile
  const [from, to] = window ?? [profile.startTime, profile.endTime]
  const totalMs = (Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1000
  const self = new Map() // node id -> µs
  let t = profile.startTime
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i]
    if (t < from || t > to) continue
    // A sample lasts until the next one.
    const d = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0
    self.set(samples[i], (self.get(samples[i]) ?? 0) + Math.max(0, d))
  }
  const key = (n) => {
    const { functionName, url, lineNumber } = n.callFrame
    const u = shortUrl(url)
    return u ? `${functionName || '(anonymous)'} ${u}:${lineNumber + 1}` : functionName
  }
  const byFunction = new Map()
  const byArea = new Map()
  let idleUs = 0
  for (const [id, us] of self) {
    const n = nodes.get(id)
    const k = key(n)
    const a = area(n)
    if (a.startsWith('idle')) idleUs += us
    byFunction.set(k, { ms: (byFunction.get(k)?.ms ?? 0) + us / 1000, area: a })
    byArea.set(a, (byArea.get(a) ?? 0) + us / 1000)
  }
  // Inclusive time of tuskit's own functions: each function counted once per stack.
  const inclusive = new Map()
  for (const [id, us] of self) {
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = nodes.get(cur)
      if (!n.callFrame.url.includes('/dist/')) continue
      const k = key(n)
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + us / 1000)
    }
  }
  const busyMs = totalMs - idleUs / 1000
  const sorted = (m, value = (v) => v) => [...m.entries()].sort((a, b) => value(b[1]) - value(a[1]))
  return {
    totalMs,
    busyMs,
    byFunction: sorted(byFunction, (v) => v.ms).map(([name, v]) => ({ name, ...v })),
    byArea: sorted(byArea).map(([name, ms]) => ({ name, ms })),
    inclusive: sorted(inclusive).map(([name, ms]) => ({ name, ms })),
  }
}

// Names go into Markdown tables: no pipes, no backticks.
const cell = (name) => name.replaceAll('|', '¦').replaceAll('`', "'")

/** `note`: an extra sentence, e.g. the process CPU time measured outside the profile. */
export function summaryMarkdown(title, s, path, top = 20, note = '') {
  const pct = (ms) => `${((100 * ms) / s.busyMs).toFixed(1)} %`
  const lines = [
    `### ${title}`,
    '',
    `\`${shortUrl(path)}\`: ${(s.totalMs / 1000).toFixed(2)} s profiled, ${(s.busyMs / 1000).toFixed(2)} s of it busy on the main JavaScript thread (not idle); shares below are of that busy time.${note ? ` ${note}` : ''}`,
    '',
    '| Area (self time) | ms | share |',
    '| --- | ---: | ---: |',
    ...s.byArea
      .filter((a) => !a.name.startsWith('idle'))
      .map((a) => `| ${cell(a.name)} | ${a.ms.toFixed(0)} | ${pct(a.ms)} |`),
    '',
    `| Top ${top} functions by self time | area | ms | share |`,
    '| --- | --- | ---: | ---: |',
    ...s.byFunction
      .filter((fn) => !fn.area.startsWith('idle'))
      .slice(0, top)
      .map(
        (fn) => `| \`${cell(fn.name)}\` | ${cell(fn.area)} | ${fn.ms.toFixed(0)} | ${pct(fn.ms)} |`,
      ),
    '',
    '| tuskit functions by inclusive time | ms | share |',
    '| --- | ---: | ---: |',
    ...s.inclusive
      .slice(0, 12)
      .map((fn) => `| \`${cell(fn.name)}\` | ${fn.ms.toFixed(0)} | ${pct(fn.ms)} |`),
    '',
  ]
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const topIdx = process.argv.indexOf('--top')
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 20
  if (files.length === 0) {
    console.error('usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile… [--top N]')
    process.exit(2)
  }
  for (const file of files) {
    if (file === String(top)) continue
    const s = summarise(JSON.parse(readFileSync(file, 'utf8')))
    console.log(summaryMarkdown(file, s, file, top))
  }
}
