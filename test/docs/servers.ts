// Starts what a doc snippet describes as a server (a program, `npx tuskit …`, `npm start`) the
// way a user would, on a free loopback port (see loopback.ts), and uploads through it with
// tus-js-client; also starts the plain CLI that shell sessions in the docs talk to.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startNode, type Running } from '../cli/child.js'
import { startTusUpload } from '../fixtures/tus-upload.js'

/** The preload that moves every `listen()` to a free port on 127.0.0.1. */
export const LOOPBACK = fileURLToPath(new URL('./loopback.js', import.meta.url))

/** The CLI as `npx tuskit` runs it: the package's `bin`, from the built dist/. */
export function cliEntry(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
  }
  const bin = pkg.bin['tuskit']
  assert.ok(bin, 'package.json names no tuskit bin')
  const entry = join(root, bin)
  assert.ok(existsSync(entry), `${bin} is missing: run npm run build first (npm test does)`)
  return entry
}

/** A temporary working folder for one server, removed by `done()`. */
export async function workFolder(): Promise<{ cwd: string; done: () => Promise<void> }> {
  const cwd = await mkdtemp(join(tmpdir(), 'tuskit-docs-'))
  return { cwd, done: () => rm(cwd, { recursive: true, force: true }) }
}

/**
 * Uploads a few chunks with tus-js-client to `endpoint` (a URL) and checks the bytes arrived
 * whole in `uploads`, the FileStore folder of the server. Resolves with the upload's URL.
 */
export async function uploadThrough(endpoint: string, uploads: string): Promise<string> {
  const data = Buffer.from('uploaded by a snippet of the docs\n'.repeat(400))
  const { upload, done } = startTusUpload(data, {
    endpoint,
    chunkSize: 4096,
    metadata: { filename: 'docs.txt', filetype: 'text/plain' },
  })
  await done
  const url = upload.url
  assert.ok(url, 'tus-js-client reports no upload URL')
  const id = new URL(url).pathname.split('/').pop() ?? ''
  assert.deepEqual(await readFile(join(uploads, id)), data, `the bytes stored for ${url}`)
  return url
}

/**
 * Runs `node [--import loopback] <args>` in `cwd` until it listens; the caller stops it. A
 * snippet that never listens, or exits first, fails with what it printed.
 */
export function startOnLoopback(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Running> {
  return startNode(['--import', LOOPBACK, ...args], { cwd, env }, 20_000)
}

/** Starts a snippet program, uploads through `endpointPath`, stops it. */
export async function checkProgram(file: string, endpointPath: string): Promise<void> {
  const work = await workFolder()
  let server: Running | undefined
  try {
    server = await startOnLoopback([file], work.cwd)
    await uploadThrough(`${server.origin}${endpointPath}`, join(work.cwd, 'uploads'))
  } finally {
    await server?.stop('SIGKILL')
    await work.done()
  }
}

/** A command line of the CLI, as the docs write it: `[VAR=value …] [npx] tuskit [args…]`. */
export interface CliCommand {
  readonly env: Record<string, string>
  readonly args: readonly string[]
}

/** Parses one `tuskit` command line (no quoting: the docs need none). */
export function parseCliCommand(line: string): CliCommand {
  const words = line.trim().split(/\s+/)
  const env: Record<string, string> = {}
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=')
    env[name] = value.join('=')
  }
  if (words[0] === 'npx') words.shift()
  assert.equal(words.shift(), 'tuskit', `not a tuskit command: ${line}`)
  return { env, args: words }
}

/** The value of `--flag value` (or one of its spellings) in `args`. */
function flag(args: readonly string[], names: readonly string[]): string | undefined {
  const i = args.findIndex((a) => names.includes(a))
  return i === -1 ? undefined : args[i + 1]
}

/**
 * Starts the CLI as a doc's command line says, checks the demo page and an upload through the
 * endpoint (and the debug log when `DEBUG` is set), then stops it with SIGTERM as a user's
 * Ctrl-C would, which must exit cleanly.
 */
export async function checkCliServer(root: string, command: CliCommand): Promise<void> {
  const work = await workFolder()
  let server: Running | undefined
  try {
    server = await startOnLoopback([cliEntry(root), ...command.args], work.cwd, command.env)
    const page = await fetch(`${server.origin}/`, { signal: AbortSignal.timeout(10_000) })
    assert.equal(page.status, 200, 'the demo page')
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const path = flag(command.args, ['--path']) ?? '/files'
    const dir = flag(command.args, ['--dir', '-d']) ?? './uploads'
    await uploadThrough(`${server.origin}${path}/`, isAbsolute(dir) ? dir : join(work.cwd, dir))
    if (command.env['DEBUG'] !== undefined) {
      assert.match(server.stderr(), /tuskit:handler/, 'DEBUG=tuskit:* logs each request')
    }
    const exit = await server.stop('SIGTERM')
    assert.equal(exit.code, 0, `exit after SIGTERM; stderr: ${server.stderr()}`)
  } finally {
    await server?.stop('SIGKILL')
    await work.done()
  }
}

/** The plain CLI on a free port, for shell sessions and forms in the docs. */
export async function startCli(root: string, cwd: string): Promise<Running> {
  const args = [cliEntry(root), '--port', '0', '--host', '127.0.0.1', '--dir', 'uploads']
  return startNode(args, { cwd }, 20_000)
}
