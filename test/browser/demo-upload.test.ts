// The demo page end to end in a real browser: headless Chromium (Debian's `chromium`, driven
// with playwright-core) uploads files through the Uppy dashboard of the CLI, the connection
// to the server is dropped mid-upload, the page resumes, and the stored bytes match.
//
// The browser talks to the CLI through a small TCP proxy in this test. The proxy slows the
// upload down (so there is a "mid-upload" to cut), can reset every connection and refuse new
// ones for a while (the network cut), and reads the request heads going by, to check that the
// page resumed (HEAD, then a PATCH from a non-zero Upload-Offset) instead of starting over.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium, type Browser } from 'playwright-core'
import { CLI_ENTRY, startNode, type Running } from '../cli/child.js'
import { CHROMIUM, needProgram } from '../helpers/external.js'
import { buildDemoPage } from '../cli/page.js'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
]
const MiB = 1024 * 1024

interface SeenRequest {
  method: string
  path: string
  offset: number | undefined
  afterCut: boolean
}

interface Proxy {
  origin: string
  /** Request heads seen from the browser, in order. */
  seen: SeenRequest[]
  /** Resets every connection and refuses new ones until `restore`. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

const REQUEST_HEAD =
  /(GET|HEAD|POST|PATCH|OPTIONS|DELETE) (\/\S*) HTTP\/1\.1\r\n((?:[^\r\n]+\r\n)*)\r\n/g

/** A TCP proxy to `port` that passes the browser's bytes at most `rate` bytes per second. */
async function startProxy(port: number, rate: number): Promise<Proxy> {
  const sockets = new Set<Socket>()
  const seen: SeenRequest[] = []
  let down = false
  let cuts = 0
  const server: Server = createServer((client) => {
    if (down) return void client.resetAndDestroy()
    const upstream = connect(port, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    const drop = (): void => {
      sockets.delete(client)
      sockets.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_HEAD)) {
        const offset = /^upload-offset:\s*(\d+)/im.exec(m[3] ?? '')?.[1]
        seen.push({
          method: m[1] ?? '',
          path: m[2] ?? '',
          offset: offset === undefined ? undefined : Number(offset),
          afterCut: cuts > 0,
        })
      }
      client.pause()
      const go = (): void => {
        setTimeout(() => client.resume(), (chunk.length / rate) * 1000)
      }
      if (upstream.write(chunk)) go()
      else upstream.once('drain', go)
    })
    client.on('end', () => upstream.end())
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${own}`,
    seen,
    cut() {
      down = true
      cuts++
      for (const socket of sockets) socket.resetAndDestroy()
      sockets.clear()
    },
    restore() {
      down = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Polls `check` every 20 ms until it returns a value; fails after `ms`. */
async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

/** Size of the largest data file (not `.json`) in the upload folder. */
async function largestUpload(dir: string): Promise<number> {
  let largest = 0
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.includes('.')) continue
    largest = Math.max(largest, (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size)
  }
  return largest
}

test(
  'demo page: Uppy uploads two files, survives a dropped connection, bytes match',
  { timeout: 90_000 },
  async (t) => {
    // CI installs Chromium (.ci/run); elsewhere a missing browser skips with how to get one.
    const executablePath = needProgram(t, CHROMIUM)
    if (executablePath === undefined) return
    const scratch = await mkdtemp(join(tmpdir(), 'tuskit-browser-'))
    const uploads = join(scratch, 'uploads')
    const publicDir = join(scratch, 'public')
    const big = { name: 'big.bin', data: randomBytes(12 * MiB) }
    const small = { name: 'notes.txt', data: Buffer.from('tuskit browser test\n'.repeat(10_000)) }
    for (const file of [big, small]) await writeFile(join(scratch, file.name), file.data)
    const screenshot = join(tmpdir(), `tuskit-demo-page-${process.pid}.png`)

    let cli: Running | undefined
    let proxy: Proxy | undefined
    let browser: Browser | undefined
    try {
      await buildDemoPage(publicDir)
      cli = await startNode([
        CLI_ENTRY,
        ...['--port', '0', '--host', '127.0.0.1', '--dir', uploads, '--public', publicDir],
      ])
      proxy = await startProxy(Number(new URL(cli.origin).port), 3 * MiB)
      browser = await chromium.launch({
        executablePath,
        args: CHROMIUM_ARGS,
        headless: true,
        timeout: 30_000,
      })
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
      page.setDefaultTimeout(30_000)
      const pageErrors: string[] = []
      page.on('pageerror', (err) => pageErrors.push(err.message))
      // The page itself loads cleanly: no console error (a missing favicon makes one), no
      // failed request outside the tus endpoint.
      const consoleErrors: string[] = []
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text())
      })
      const assets: Array<{ path: string; status: number }> = []
      page.on('response', (res) => {
        const path = new URL(res.url()).pathname
        if (!path.startsWith('/files')) assets.push({ path, status: res.status() })
      })
      await page.goto(`${proxy.origin}/`)
      await page.locator('#server-info').getByText('Extensions:').waitFor()
      await waitFor('the browser to fetch the page icon', 10_000, async () =>
        assets.some((a) => a.path.startsWith('/favicon')) ? true : undefined,
      )
      assert.deepEqual(
        assets.filter((a) => a.status >= 400),
        [],
      )
      assert.deepEqual(consoleErrors, [])

      // Pick both files through the dashboard's file input: they start at once, in parallel.
      await page
        .locator('.uppy-Dashboard-input')
        .first()
        .setInputFiles([join(scratch, big.name), join(scratch, small.name)])

      // Pause all with the dashboard's button once the big file is under way: the server's
      // copy stops growing. Then resume.
      const toggle = page.locator('[data-cy="togglePauseResume"]')
      await waitFor('the first 512 KiB to reach the server', 20_000, async () =>
        (await largestUpload(uploads)) >= MiB / 2 ? true : undefined,
      )
      await toggle.click()
      await waitFor('the button to offer Resume', 5000, async () =>
        (await toggle.getAttribute('title')) === 'Resume' ? true : undefined,
      )
      let last = -1
      const paused = await waitFor('the paused upload to stop growing', 10_000, async () => {
        const size = await largestUpload(uploads)
        if (size === last) return size
        last = size
        await sleep(400)
        return undefined
      })
      assert.ok(paused < big.data.length, 'the big file finished before it could be paused')
      await toggle.click()

      // Cut the network once more of the big file has arrived, for 1.5 s.
      const before = await waitFor('the upload to go on after Resume', 20_000, async () => {
        const size = await largestUpload(uploads)
        return size >= paused + MiB ? size : undefined
      })
      assert.ok(before < big.data.length, 'the upload was not slowed down enough to cut it')
      proxy.cut()
      const atCut = await largestUpload(uploads)
      await sleep(1500)
      proxy.restore()

      // The page resumes on its own; both files end up in the list of finished uploads.
      const links = page.locator('#finished-list li a')
      await waitFor('both uploads to finish', 45_000, async () =>
        (await links.count()) === 2 ? true : undefined,
      )
      await page.screenshot({ path: screenshot, fullPage: true })
      t.diagnostic(`screenshot of the demo page: ${screenshot}`)
      assert.equal(await page.locator('#finished-count').textContent(), '2')

      const files = new Map([big, small].map((f) => [f.name, f.data]))
      for (const link of await links.all()) {
        const name = (await link.textContent()) ?? ''
        const data = files.get(name)
        assert.ok(data, `unexpected finished upload ${name}`)
        const href = (await link.getAttribute('href')) ?? ''
        assert.match(href, new RegExp(`^${proxy.origin}/files/[A-Za-z0-9_-]+$`))
        const id = href.slice(href.lastIndexOf('/') + 1)
        // The bytes on disk and the download both match what the browser read from disk.
        assert.equal(sha256(await readFile(join(uploads, id))), sha256(data), `${name} on disk`)
        const download = await fetch(`${cli.origin}/files/${id}`)
        assert.equal(download.status, 200)
        assert.equal(sha256(Buffer.from(await download.arrayBuffer())), sha256(data), name)
        if (name === big.name) {
          // Resumed, not restarted: after the cut, a HEAD and a PATCH from where the server was.
          const after = proxy.seen.filter((r) => r.afterCut && r.path.endsWith(`/files/${id}`))
          assert.ok(
            after.some((r) => r.method === 'HEAD'),
            JSON.stringify(after),
          )
          const resumed = after.find((r) => r.method === 'PATCH')
          assert.ok(resumed?.offset !== undefined && resumed.offset >= atCut, JSON.stringify(after))
          assert.ok(resumed.offset > 0 && resumed.offset < big.data.length)
          t.diagnostic(
            `paused at ${paused} bytes, cut at ${atCut}; the page resumed from ${resumed.offset}`,
          )
        }
      }
      assert.deepEqual(pageErrors, [])
    } finally {
      await browser?.close().catch(() => undefined)
      await proxy?.close()
      await cli?.stop('SIGKILL')
      await rm(scratch, { recursive: true, force: true })
    }
  },
)
