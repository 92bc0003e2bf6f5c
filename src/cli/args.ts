import { parseArgs } from 'node:util'
import { STATIC_FILES } from './static.js'

/** What the CLI runs with, after validation. */
export interface CliConfig {
  readonly port: number
  readonly host: string
  /** Folder of the FileStore, as given (relative to the working directory). */
  readonly directory: string
  /** Endpoint path without a trailing slash, e.g. `/files`. */
  readonly path: string
  readonly maxSize: number | undefined
  /** Folder of the demo page; `undefined` means the one shipped next to the CLI. */
  readonly publicDir: string | undefined
}

export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'serve'; config: CliConfig }

/** A mistake in the command line; its message is one line, meant for the user. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const USAGE = `Usage: tuskit [options]

Serves a tus 1.0 upload endpoint backed by a folder, with a demo page at /.

Options:
  -p, --port <port>      port to listen on, 0 for any free port (default 1080)
      --host <host>      address to listen on (default 127.0.0.1)
  -d, --dir <dir>        folder the uploads are stored in (default ./uploads)
      --path <path>      URL path of the tus endpoint (default /files)
      --max-size <bytes> largest upload accepted, in bytes (default: no limit)
  -h, --help             show this help

Advanced:
      --public <dir>     serve the demo page from <dir> instead of the copy built
                         next to the CLI (dist/cli/public)

Debug logging: DEBUG=tuskit:* tuskit`

const DEFAULTS = { port: 1080, host: '127.0.0.1', dir: './uploads', path: '/files' } as const

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  dir: { type: 'string', short: 'd' },
  path: { type: 'string' },
  'max-size': { type: 'string' },
  public: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Parses and validates `argv` (without `node` and the script). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const values = readFlags(argv)
  if (values.help) return { kind: 'help' }
  return {
    kind: 'serve',
    config: {
      port: parsePort(values.port),
      host: nonEmpty('--host', values.host ?? DEFAULTS.host),
      directory: nonEmpty('--dir', values.dir ?? DEFAULTS.dir),
      path: parsePath(values.path ?? DEFAULTS.path),
      maxSize: values['max-size'] === undefined ? undefined : parseMaxSize(values['max-size']),
      publicDir: values.public === undefined ? undefined : nonEmpty('--public', values.public),
    },
  }
}

function readFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false })
      .values
  } catch (err) {
    // parseArgs messages are clear but may run on over several sentences: keep the first.
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments')
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULTS.port
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN
  if (!(port <= 65535)) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`)
  }
  return port
}

function parseMaxSize(value: string): number {
  const size = /^\d{1,16}$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(size)) {
    throw new UsageError(`--max-size must be a whole number of bytes, got ${JSON.stringify(value)}`)
  }
  return size
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`)
  return value
}

const SEGMENT = /^[A-Za-z0-9._~-]+$/

/** `/files` or `/api/files/`: plain segments only; returned without the trailing slash. */
function parsePath(value: string): string {
  const path = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value
  const segments = path.split('/').slice(1)
  const valid =
    path.startsWith('/') &&
    segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..') &&
    segments.length > 0
  if (!valid) {
    throw new UsageError(
      `--path must look like /files (letters, digits, . _ ~ - between slashes, not just /), got ${JSON.stringify(value)}`,
    )
  }
  for (const url of STATIC_FILES.keys()) {
    if (url === path || url.startsWith(`${path}/`)) {
      throw new UsageError(`--path ${path} would hide the demo page's ${url}; choose another path`)
    }
  }
  return path
}
