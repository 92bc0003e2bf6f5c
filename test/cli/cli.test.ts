// Runs the CLI compiled with the tests (build/src/cli/main.js) in a child process. The demo
// page is not compiled by tsc, so the suite builds a public folder the way `npm run build`
// does (scripts/build-page.mjs: the page plus its Uppy bundle) and passes it as --public.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ERRORS } from '../../src/model/errors.js'
import { storedBytes, storedSize } from '../helpers/files.js'
import { CLI_ENTRY, repoRoot, runNode, startNode, type Running } from './child.js'
import { buildDemoPage } from './page.js'
import { tusUpload } from './upload.js'

let scratch: string
let publicDir: string

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tuskit-cli-test-'))
  publicDir = join(scratch, 'public')
  await buildDemoPage(publicDir)
})

after(async () => {
  await rm(scratch, { recursive: true, force: true })
})

let dirs = 0
function freshDir(): string {
  return join(scratch, `uploads-${++dirs}`)
}

/** Starts the CLI on a free port with a fresh upload folder; extra flags appended. */
async function startCli(...flags: string[]): Promise<Running & { dir: string }> {
  const dir = freshDir()
  const running = await startNode([
    CLI_ENTRY,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--dir',
    dir,
    '--public',
    publicDir,
    ...flags,
  ])
  return { ...running, dir }
}

interface IcoImage {
  size: number
  /** The pixel at column x, row y from the top. */
  rgba(x: number, y: number): [number, number, number, number]
}

/** Reads a .ico of 32-bit bitmaps, checking its directory and headers on the way. */
function readIco(ico: Buffer): IcoImage[] {
  assert.equal(ico.readUInt16LE(0), 0, 'reserved')
  assert.equal(ico.readUInt16LE(2), 1, 'type: icon')
  const count = ico.readUInt16LE(4)
  return Array.from({ length: count }, (_, i) => {
    const entry = 6 + 16 * i
    const size = ico.readUInt8(entry) || 256
    assert.equal(ico.readUInt8(entry + 1) || 256, size, 'square')
    assert.equal(ico.readUInt16LE(entry + 6), 32, 'bits per pixel')
    const length = ico.readUInt32LE(entry + 8)
    const offset = ico.readUInt32LE(entry + 12)
    assert.ok(offset + length <= ico.length, 'the image is inside the file')
    const bmp = ico.subarray(offset, offset + length)
    assert.equal(bmp.readUInt32LE(0), 40, 'BITMAPINFOHEADER')
    assert.deepEqual([bmp.readInt32LE(4), bmp.readInt32LE(8)], [size, 2 * size])
    assert.equal(bmp.readUInt16LE(14), 32)
    assert.equal(bmp.readUInt32LE(16), 0, 'uncompressed')
    const maskRow = Math.ceil(size / 32) * 4
    assert.equal(length, 40 + size * size * 4 + maskRow * size)
    return {
      size,
      rgba(x, y) {
        const at = 40 + ((size - 1 - y) * size + x) * 4 // rows are stored bottom first
        return [bmp[at + 2] ?? -1, bmp[at + 1] ?? -1, bmp[at] ?? -1, bmp[at + 3] ?? -1]
      },
    }
  })
}

/** GET with the path sent exactly as written: fetch would normalise `..` away. */
function rawGet(origin: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('tuskit CLI server', () => {
  let cli: Running & { dir: string }
  before(async () => {
    cli = await startCli()
  })
  after(async () => {
    await cli.stop('SIGKILL')
  })

  test('prints where it listens and where uploads go', () => {
    assert.match(cli.origin, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(new URL(cli.origin).port, '0')
    assert.equal(cli.stdout(), `tuskit listening on ${cli.origin} (uploads in ${cli.dir})\n`)
    assert.equal(cli.stderr(), '')
  })

  test('GET / is the demo page, loading the Uppy bundle from /app.js and /app.css', async () => {
    const res = await fetch(`${cli.origin}/`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8')
    const html = await res.text()
    assert.match(html, /<script src="\/app\.js"><\/script>/)
    assert.match(html, /<link rel="stylesheet" href="\/app\.css" \/>/)
    assert.match(html, /<meta name="tuskit-endpoint" content="\/files\/" \/>/)
    assert.match(html, /<form\s+id="fallback"[^>]*\saction="\/files\/"/)
    const again = await fetch(`${cli.origin}/index.html?x=1`)
    assert.equal(await again.text(), html)
  })

  test('the page assets are served with their content types', async () => {
    const expected: Array<[string, string, string]> = [
      ['/app.js', 'text/javascript; charset=utf-8', join(publicDir, 'app.js')],
      ['/style.css', 'text/css; charset=utf-8', join(publicDir, 'style.css')],
      ['/app.css', 'text/css; charset=utf-8', join(publicDir, 'app.css')],
    ]
    for (const [path, type, file] of expected) {
      const res = await fetch(`${cli.origin}${path}`)
      assert.equal(res.status, 200, path)
      assert.equal(res.headers.get('content-type'), type, path)
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path)
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(file), path)
    }
    const head = await fetch(`${cli.origin}/style.css`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(
      head.headers.get('content-length'),
      String(readFileSync(join(publicDir, 'style.css')).length),
    )
    const post = await fetch(`${cli.origin}/app.js`, { method: 'POST' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
  })

  test('every file index.html links is served, and /favicon.ico is a real icon', async () => {
    const html = await (await fetch(`${cli.origin}/`)).text()
    const linked = [...html.matchAll(/\s(?:href|src)="(\/[^"/][^"]*)"/g)].map((m) => m[1] ?? '')
    assert.ok(linked.includes('/favicon.svg') && linked.includes('/favicon.ico'), String(linked))
    for (const path of new Set([...linked, '/favicon.ico'])) {
      const res = await fetch(`${cli.origin}${path}`)
      assert.equal(res.status, 200, path)
      await res.arrayBuffer()
    }
    const svg = await fetch(`${cli.origin}/favicon.svg`)
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml')
    assert.match(await svg.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^]*<\/svg>\n$/)

    const res = await fetch(`${cli.origin}/favicon.ico`)
    assert.equal(res.headers.get('content-type'), 'image/x-icon')
    const ico = Buffer.from(await res.arrayBuffer())
    assert.deepEqual(ico, readFileSync(join(publicDir, 'favicon.ico')))
    const images = readIco(ico)
    assert.deepEqual(
      images.map((image) => image.size),
      [16, 32],
    )
    for (const image of images) {
      const middle = image.size / 2
      assert.deepEqual(image.rgba(0, 0)[3], 0, 'a rounded corner is transparent')
      assert.deepEqual(
        image.rgba(middle, 1),
        [0x25, 0x63, 0xeb, 255],
        'the accent colour at the top',
      )
      assert.deepEqual(
        image.rgba(middle, middle),
        [255, 255, 255, 255],
        'the white arrow in the middle',
      )
    }
  })

  test('nothing outside the allow-list is served (no path traversal)', async () => {
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/package.json',
      '/vendor/../../package.json',
      '/vendor/..%2f..%2fpackage.json',
      '/vendor/%2e%2e/%2e%2e/package.json',
      '/..\\package.json',
      '/package.json',
      '//etc/passwd',
      '/./index.html',
      '/index.html/',
      '/vendor/',
      '/vendor/tus.js',
      '/vendor/tus.min.js',
      '/app.js.map',
      '/cli.js',
    ]
    for (const path of attempts) {
      const res = await rawGet(cli.origin, path)
      assert.equal(res.status, 404, path)
      assert.equal(res.body, 'not found\n', path)
    }
  })

  test('a full tus upload lands in --dir', async () => {
    const data = Buffer.from('hello from the tuskit CLI test, '.repeat(1000))
    const { location, id } = await tusUpload(`${cli.origin}/files/`, data, { chunk: 10_000 })
    assert.match(location, new RegExp(`^${cli.origin}/files/[A-Za-z0-9_-]+$`))
    assert.deepEqual(await readFile(join(cli.dir, id)), data)
    const info = JSON.parse(await readFile(join(cli.dir, `${id}.json`), 'utf8')) as {
      metadata: Record<string, string>
    }
    assert.deepEqual(info.metadata, { filename: 'hello.txt', filetype: 'text/plain' })
  })

  test('the tus endpoint answers protocol errors itself', async () => {
    const res = await fetch(`${cli.origin}/files/`, { method: 'POST' })
    assert.equal(res.status, ERRORS.ERR_MISSING_TUS_RESUMABLE.status)
    assert.equal(
      await res.text(),
      `ERR_MISSING_TUS_RESUMABLE: ${ERRORS.ERR_MISSING_TUS_RESUMABLE.message}\n`,
    )
    const options = await fetch(`${cli.origin}/files`, { method: 'OPTIONS' })
    assert.equal(options.status, 204)
    assert.equal(options.headers.get('tus-max-size'), null)
  })
})

test('--max-size and --path reach the handler and the page', async () => {
  const cli = await startCli('--max-size', '100', '--path', '/api/uploads/')
  try {
    const options = await fetch(`${cli.origin}/api/uploads`, { method: 'OPTIONS' })
    assert.equal(options.headers.get('tus-max-size'), '100')
    const tooBig = await fetch(`${cli.origin}/api/uploads`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '101' },
    })
    assert.equal(tooBig.status, ERRORS.ERR_MAX_SIZE_EXCEEDED.status)
    const { location } = await tusUpload(`${cli.origin}/api/uploads`, Buffer.alloc(100, 7))
    assert.match(location, new RegExp(`^${cli.origin}/api/uploads/`))
    assert.equal((await fetch(`${cli.origin}/files/`, { method: 'OPTIONS' })).status, 404)
    const html = await (await fetch(`${cli.origin}/`)).text()
    assert.match(html, /<meta name="tuskit-endpoint" content="\/api\/uploads\/" \/>/)
    assert.match(html, /<form\s+id="fallback"[^>]*\saction="\/api\/uploads\/"/)
  } finally {
    await cli.stop('SIGKILL')
  }
})

test('without the demo files it warns, and the endpoint still works', async () => {
  const cli = await startCli('--public', join(scratch, 'no-such-folder'))
  try {
    assert.match(cli.stderr(), /^tuskit: warning: demo page incomplete, missing index\.html/)
    assert.equal((await fetch(`${cli.origin}/`)).status, 404)
    await tusUpload(`${cli.origin}/files`, Buffer.from('still works'))
  } finally {
    await cli.stop('SIGKILL')
  }
})

/** Every mistake on the command line: exit status 2, nothing on stdout, one line on stderr. */
const BAD_ARGUMENTS: Array<[string[], string]> = [
  [['--max-size', '-5'], '--max-size must be a size like 1048576, 512K or 2G, got "-5"'],
  [['--max-size=-5'], '--max-size must be a size like 1048576, 512K or 2G, got "-5"'],
  [['--max-size', '1.5G'], '--max-size must be a size like 1048576, 512K or 2G, got "1.5G"'],
  [['--max-size', 'big'], '--max-size must be a size like 1048576, 512K or 2G, got "big"'],
  [['--max-size', '8192T'], '--max-size must be at most 9007199254740991 bytes, got "8192T"'],
  [['--max-size'], '--max-size needs a value'],
  [['--port', 'abc'], '--port must be an integer from 0 to 65535, got "abc"'],
  [['--port', '65536'], '--port must be an integer from 0 to 65535, got "65536"'],
  [['-p', '-1'], '--port must be an integer from 0 to 65535, got "-1"'],
  [['--port'], '--port needs a value'],
  [
    ['--path', '/'],
    '--path must look like /files (letters, digits, . _ ~ - between slashes, not just /), got "/"',
  ],
  [
    ['--path', '/favicon.ico'],
    "--path /favicon.ico would hide the demo page's /favicon.ico; choose another path",
  ],
  [['--dir', ''], '--dir must not be empty'],
  [['--host='], '--host must not be empty'],
  [['--public', ' '], '--public must not be empty'],
  [['--frobnicate'], 'unknown option "--frobnicate"'],
  [['--maxsize', '1G'], 'unknown option "--maxsize", did you mean --max-size?'],
  [['-x'], 'unknown option "-x"'],
  [['--bad\nname'], 'unknown option "--bad\\nname"'],
  [['serve'], 'unexpected argument "serve": tuskit takes only options'],
  [['--port', '80', '8080'], 'unexpected argument "8080": tuskit takes only options'],
  [['--help=yes'], '--help takes no value'],
  [
    ['--dir', '--port', '80'],
    '--dir needs a value but got the option "--port"; write --dir=--port if that is the value',
  ],
]

test('every bad argument exits 2 with exactly one line on stderr', async () => {
  const results = await Promise.all(BAD_ARGUMENTS.map(([args]) => runNode([CLI_ENTRY, ...args])))
  BAD_ARGUMENTS.forEach(([args, message], i) => {
    const result = results[i]
    const label = JSON.stringify(args)
    assert.ok(result !== undefined)
    assert.deepEqual({ code: result.code, signal: result.signal }, { code: 2, signal: null }, label)
    assert.equal(result.stdout, '', label)
    assert.equal(result.stderr, `tuskit: ${message} (see tuskit --help)\n`, label)
  })
})

test('a folder that cannot be created is one line too, with exit status 1', async () => {
  const file = join(scratch, 'a-file')
  writeFileSync(file, 'not a folder')
  const result = await runNode([CLI_ENTRY, '--port', '0', '--dir', file, '--public', publicDir])
  assert.equal(result.code, 1)
  assert.match(result.stderr, /^tuskit: cannot use \S+a-file as upload folder: EEXIST[^\n]*\n$/)
})

test('--help prints every flag, the size syntax and the exit statuses, and exits 0', async () => {
  const result = await runNode([CLI_ENTRY, '--help'])
  assert.equal(result.code, 0)
  assert.equal(result.stderr, '')
  for (const flag of [
    '-p, --port',
    '--host',
    '-d, --dir',
    '--path',
    '--max-size <size>',
    '--public',
    '-h, --help',
    '-v, --version',
  ]) {
    assert.ok(result.stdout.includes(flag), flag)
  }
  assert.match(result.stdout, /binary suffix K, M, G or T/)
  assert.match(result.stdout, /2 for a bad argument/)
})

test('--version and -v print the version of package.json, alone on one line', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    version: string
  }
  assert.match(version, /^\d+\.\d+\.\d+/)
  for (const flag of ['--version', '-v']) {
    const result = await runNode([CLI_ENTRY, flag])
    assert.deepEqual(result, { code: 0, signal: null, stdout: `${version}\n`, stderr: '' }, flag)
  }
})

test('a port in use is a one-line error', async () => {
  const first = await startCli()
  try {
    const { port } = new URL(first.origin)
    const result = await runNode([
      CLI_ENTRY,
      ...['--port', port, '--dir', freshDir(), '--public', publicDir],
    ])
    assert.equal(result.code, 1)
    assert.equal(result.stderr, `tuskit: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`)
  } finally {
    await first.stop('SIGKILL')
  }
})

test('SIGTERM and SIGINT stop it cleanly', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const cli = await startCli()
    // A kept-alive idle connection must not hold the shutdown up.
    assert.equal((await fetch(`${cli.origin}/`)).status, 200)
    const started = Date.now()
    const exit = await cli.stop(signal)
    assert.deepEqual(exit, { code: 0, signal: null }, cli.stderr())
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
    assert.match(
      cli.stdout(),
      new RegExp(`tuskit: ${signal} received, shutting down\ntuskit: stopped\n$`),
    )
  }
})

test('SIGTERM during a PATCH keeps the bytes received; a restart resumes there', async () => {
  const cli = await startCli()
  const post = await fetch(`${cli.origin}/files`, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10000' },
  })
  assert.equal(post.status, 201)
  const location = post.headers.get('location') ?? ''
  const id = location.split('/').pop() ?? ''

  // A PATCH that sends 3000 bytes and then stalls, like a client on a dying network.
  const { hostname, port } = new URL(cli.origin)
  const patch = request({
    host: hostname,
    port,
    path: `/files/${id}`,
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': '10000',
    },
  })
  const patchDone = new Promise<void>((resolve) => {
    patch.on('error', () => resolve())
    patch.on('response', (res) => {
      res.resume()
      res.on('end', resolve)
    })
  })
  patch.write(Buffer.alloc(3000, 1))
  const dataFile = join(cli.dir, id)
  for (let i = 0; (await storedSize(dataFile)) < 3000; i++) {
    assert.ok(i < 200, 'the server never stored the first bytes')
    await sleep(10)
  }

  const exit = await cli.stop('SIGTERM')
  assert.deepEqual(exit, { code: 0, signal: null }, cli.stderr())
  await patchDone
  assert.equal(await storedSize(dataFile), 3000)

  const again = await startNode([CLI_ENTRY, '--port', '0', '--dir', cli.dir, '--public', publicDir])
  try {
    const url = `${again.origin}/files/${id}`
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    assert.equal(head.headers.get('upload-offset'), '3000')
    const rest = await fetch(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '3000',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: Buffer.alloc(7000, 2),
    })
    assert.equal(rest.status, 204)
    assert.equal(rest.headers.get('upload-offset'), '10000')
  } finally {
    await again.stop('SIGKILL')
  }
  // The finished upload's bytes stay on disk after the server is gone.
  assert.deepEqual(
    await storedBytes(dataFile),
    Buffer.concat([Buffer.alloc(3000, 1), Buffer.alloc(7000, 2)]),
  )
})
