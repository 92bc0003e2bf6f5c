#!/usr/bin/env node
// The `tuskit` command: a tus endpoint backed by a folder, plus the demo page. Nothing in the
// library imports this file.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createTusHandler, FileStore, type TusHandlerOptions } from '../index.js'
import { parseCliArgs, UsageError, USAGE, type CliConfig } from './args.js'
import { stopOnSignals } from './shutdown.js'
import { createStaticHandler, missingFiles } from './static.js'
import { packageVersion } from './version.js'

/** The demo page as `npm run build` lays it out: dist/cli/public next to dist/cli/main.js. */
const DEFAULT_PUBLIC = fileURLToPath(new URL('./public', import.meta.url))

/** A connection that sends nothing for this long is closed; its received bytes are kept. */
const IDLE_TIMEOUT_MS = 60_000

/** Ends with one line on stderr: control characters (from a path, say) are escaped. */
function fail(message: string, exitCode: number): never {
  const line = message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1))
  process.stderr.write(`tuskit: ${line}\n`)
  process.exit(exitCode)
}

function serve(config: CliConfig): void {
  let store: FileStore
  try {
    store = new FileStore({ directory: config.directory })
  } catch (err) {
    fail(`cannot use ${config.directory} as upload folder: ${(err as Error).message}`, 1)
  }
  const options: TusHandlerOptions = { path: config.path }
  if (config.maxSize !== undefined) options.maxSize = config.maxSize
  const tus = createTusHandler(store, options)

  const publicDir = config.publicDir ?? DEFAULT_PUBLIC
  const missing = missingFiles(publicDir)
  if (missing.length > 0) {
    process.stderr.write(
      `tuskit: warning: demo page incomplete, missing ${missing.join(', ')} in ${publicDir}` +
        ` (run npm run build); the upload endpoint works regardless\n`,
    )
  }
  const demo = createStaticHandler({ directory: publicDir, endpoint: `${config.path}/` })

  const server = createServer((req, res) => {
    tus(req, res, (err) => {
      if (err === undefined) return demo(req, res)
      process.stderr.write(`tuskit: ${req.method} ${req.url} failed: ${String(err)}\n`)
      if (res.headersSent) return void res.destroy()
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('internal server error\n')
    })
  })
  // Node cuts any request that takes longer than 5 minutes in all (requestTimeout), which
  // would sever every large upload; an idle timeout frees stalled connections instead.
  server.requestTimeout = 0
  server.setTimeout(IDLE_TIMEOUT_MS)
  server.on('error', (err: NodeJS.ErrnoException) => {
    fail(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`, 1)
  })
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    process.stdout.write(
      `tuskit listening on http://${host}:${port} (uploads in ${store.directory})\n`,
    )
  })
  stopOnSignals(server, { graceMs: 3000, log: (line) => process.stdout.write(`${line}\n`) })
}

try {
  const command = parseCliArgs(process.argv.slice(2))
  if (command.kind === 'help') process.stdout.write(`${USAGE}\n`)
  else if (command.kind === 'version') process.stdout.write(`${packageVersion()}\n`)
  else serve(command.config)
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  fail(`${err.message} (see tuskit --help)`, 2)
}
