// The packed package in a consumer project: CommonJS (require) and ES module (import) programs
// load every entry and run a real upload over HTTP; require and import share one copy of the
// library; a Node.js without require(esm) gets a one-line explanation; the bin runs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ENTRIES,
  installConsumer,
  npmWarnings,
  packTuskit,
  run,
  runOk,
  type Output,
  type Packed,
} from './packed.js'

let packed: Packed
let consumer: string
let install: Output

before(async () => {
  packed = await packTuskit()
  ;({ dir: consumer, install } = await installConsumer(packed))
})

after(() => packed?.cleanup())

/**
 * The round trip both consumers run, given `createTusHandler`, `FileStore`, `entries` (every
 * entry's module by name) and node:http, fs, path, crypto: POST, PATCH half, HEAD, PATCH
 * the rest, HEAD, then the stored file (in the consumer's folder). Prints what it saw as JSON.
 */
const ROUND_TRIP = `
async function main() {
  const directory = fs.mkdtempSync(path.join(process.cwd(), 'uploads-'))
  const handler = createTusHandler(new FileStore({ directory }), { path: '/files' })
  const server = http.createServer((req, res) =>
    handler(req, res, () => {
      res.statusCode = 404
      res.end()
    }),
  )
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = 'http://127.0.0.1:' + server.address().port
  const TUS = { 'Tus-Resumable': '1.0.0' }
  const body = crypto.randomBytes(256 * 1024)
  const half = body.length / 2
  const post = await fetch(origin + '/files', {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': String(body.length) },
  })
  const url = new URL(post.headers.get('location'), origin)
  const patch = async (offset, chunk) => {
    const res = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: chunk,
    })
    return { status: res.status, offset: res.headers.get('upload-offset') }
  }
  const head = async () => {
    const res = await fetch(url, { method: 'HEAD', headers: TUS })
    return { status: res.status, offset: res.headers.get('upload-offset') }
  }
  const first = await patch(0, body.subarray(0, half))
  const middle = await head()
  const second = await patch(half, body.subarray(half))
  const end = await head()
  const stored = fs.readFileSync(path.join(directory, path.basename(url.pathname)))
  server.closeAllConnections()
  server.close()
  await handler.close()
  fs.rmSync(directory, { recursive: true, force: true })
  console.log(
    JSON.stringify({
      entries: Object.fromEntries(
        Object.entries(entries).map(([name, mod]) => [name, Object.keys(mod).sort()]),
      ),
      post: post.status,
      first,
      middle,
      second,
      end,
      sameBytes: stored.equals(body),
      extra: typeof extra === 'function' ? extra() : null,
    }),
  )
}
main().catch((error) => {
  console.error(error)
  process.exit(1) // a server may still be listening
})
`

const CJS = `'use strict'
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { createTusHandler, FileStore } = require('tuskit')
const entries = Object.fromEntries(${JSON.stringify(ENTRIES)}.map((name) => [name, require(name)]))
${ROUND_TRIP}`

const ESM = `import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { createTusHandler, FileStore } from 'tuskit'
${ENTRIES.map((name, i) => `import * as entry${i} from '${name}'`).join('\n')}
const entries = { ${ENTRIES.map((name, i) => `'${name}': entry${i}`).join(', ')} }
// require() of the same package from this ES module: the very same module namespace.
const extra = () => ({ requireSame: createRequire(import.meta.url)('tuskit') === entry0 })
${ROUND_TRIP}`

interface RoundTrip {
  entries: Record<string, string[]>
  post: number
  first: { status: number; offset: string | null }
  middle: { status: number; offset: string | null }
  second: { status: number; offset: string | null }
  end: { status: number; offset: string | null }
  sameBytes: boolean
  extra: { requireSame: boolean } | null
}

async function runConsumer(file: string, source: string): Promise<RoundTrip> {
  await writeFile(join(consumer, file), source)
  const out = await runOk(process.execPath, [file], consumer)
  // Nothing on stderr: in particular no ExperimentalWarning for require() of an ES module.
  assert.equal(out.stderr, '', `${file} printed on stderr`)
  return JSON.parse(out.stdout) as RoundTrip
}

function assertRoundTrip(result: RoundTrip): void {
  const half = String(128 * 1024)
  const full = String(256 * 1024)
  assert.equal(result.post, 201)
  assert.deepEqual(result.first, { status: 204, offset: half })
  assert.deepEqual(result.middle, { status: 200, offset: half })
  assert.deepEqual(result.second, { status: 204, offset: full })
  assert.deepEqual(result.end, { status: 200, offset: full })
  assert.equal(result.sameBytes, true, 'the stored file holds the bytes sent')
  assert.deepEqual(Object.keys(result.entries), ENTRIES)
  for (const [name, keys] of Object.entries(result.entries)) {
    assert.ok(keys.length > 0, `${name} exports something`)
  }
}

test('the tarball installs offline into a consumer project without warnings', () => {
  assert.deepEqual(npmWarnings(install), [])
  assert.deepEqual(npmWarnings(packed.pack), [])
})

test('CommonJS: require("tuskit") and every subpath, and a real upload over HTTP', async () => {
  const cjs = await runConsumer('round-trip.cjs', CJS)
  assertRoundTrip(cjs)
  const esm = await runConsumer('round-trip.mjs', ESM)
  assertRoundTrip(esm)
  // Both see the same exports, entry by entry.
  assert.deepEqual(cjs.entries, esm.entries)
  assert.ok(cjs.entries['tuskit']?.includes('createTusHandler'))
  assert.equal(esm.extra?.requireSame, true, 'require() from an ES module: the same namespace')
})

test('require and import in one process share one copy: a TusError keeps its status across entries', async () => {
  const script = `'use strict'
const required = require('tuskit')
const requiredWeb = require('tuskit/web')
async function main() {
  const imported = await import('tuskit')
  const importedWeb = await import('tuskit/web')
  const fs = require('node:fs')
  const path = require('node:path')
  const directory = fs.mkdtempSync(path.join(process.cwd(), 'uploads-'))
  // A store whose lookups fail with the TusError class that require() gave; the handler
  // comes from import(). With two copies of the library the core would answer 500.
  const store = Object.create(new required.FileStore({ directory }))
  store.get = async () => {
    throw new required.TusError('ERR_TEAPOT', 418, 'a teapot, from the store')
  }
  const handler = importedWeb.createWebHandler(store)
  const response = await handler.handleRequest(
    new Request('http://127.0.0.1/files/abc', {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    }),
  )
  fs.rmSync(directory, { recursive: true, force: true })
  console.log(JSON.stringify({
    sameNamespace: required === imported,
    sameTusError: required.TusError === imported.TusError,
    sameWeb: requiredWeb === importedWeb,
    status: response.status,
  }))
}
main().catch((error) => {
  console.error(error)
  process.exit(1) // a server may still be listening
})
`
  await writeFile(join(consumer, 'one-copy.cjs'), script)
  const out = await runOk(process.execPath, ['one-copy.cjs'], consumer)
  assert.equal(out.stderr, '')
  assert.deepEqual(JSON.parse(out.stdout), {
    sameNamespace: true,
    sameTusError: true,
    sameWeb: true,
    status: 418,
  })
})

test('a Node.js whose require() cannot load ES modules gets a one-line explanation', async (t) => {
  // Node.js 20.19+ and 22.12+ have the flag that turns require(esm) off: it stands in for an
  // older Node.js, where the same ERR_REQUIRE_ESM is thrown.
  if (!process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module')) {
    t.skip('this Node.js cannot turn require(esm) off')
    return
  }
  await writeFile(join(consumer, 'require-only.cjs'), `require('tuskit/koa')\n`)
  const out = await run(
    process.execPath,
    ['--no-experimental-require-module', 'require-only.cjs'],
    consumer,
  )
  assert.notEqual(out.code, 0)
  assert.match(
    out.stderr,
    /^Error: tuskit\/koa from CommonJS needs Node\.js >= 20\.19 \(or >= 22\.12 on Node\.js 22\), which can require\(\) ES modules; this is Node\.js \d+\.\d+\.\d+\. Upgrade Node\.js or use import\('tuskit\/koa'\)\.$/m,
  )
  // The same program with require(esm) available works.
  const ok = await run(process.execPath, ['require-only.cjs'], consumer)
  assert.deepEqual(ok, { code: 0, stdout: '', stderr: '' })
})

test('the tuskit bin of the installed package serves its demo page and a tus endpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-bin-'))
  // The bin link itself, as npm made it: its #! line and mode must let it run on its own.
  const child = spawn(
    join(consumer, 'node_modules', '.bin', 'tuskit'),
    ['--port', '0', '--host', '127.0.0.1', '--dir', dir],
    { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+)/.exec(stdout)
        if (match?.[1] !== undefined) resolve(match[1])
      })
      void exited.then((code) => reject(new Error(`tuskit exited (${code}): ${stderr}`)))
    })
    const page = await fetch(`${origin}/`, { signal: AbortSignal.timeout(10_000) })
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const app = await fetch(`${origin}/app.js`, { signal: AbortSignal.timeout(10_000) })
    assert.equal(app.status, 200, 'the Uppy bundle ships in the package')
    assert.ok((await app.arrayBuffer()).byteLength > 0)
    const options = await fetch(`${origin}/files`, {
      method: 'OPTIONS',
      signal: AbortSignal.timeout(10_000),
    })
    assert.equal(options.status, 204)
    assert.equal(options.headers.get('tus-version'), '1.0.0')
  } finally {
    child.kill('SIGTERM')
    await exited
    await rm(dir, { recursive: true, force: true })
  }
})
