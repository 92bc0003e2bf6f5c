import { parseArgs } from 'node:util'
import { MAX_SIZE, parseSize } from './size.js'
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

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'serve'; config: CliConfig }

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
      --max-size <size>  largest upload accepted, e.g. 1048576, 512K, 2G
                         (default: no limit)
  -h, --help             show this help
  -v, --version          print the version

Advanced:
      --public <dir>     serve the demo page from <dir> instead of the copy built
                         next to the CLI (dist/cli/public)

Sizes are whole numbers of bytes, or with a binary suffix K, M, G or T in either
case: 1K = 1024, 2G = 2147483648. KB and KiB mean the same as K.

Exit status: 0 after --help, --version or a stop by SIGINT or SIGTERM; 1 if the
server cannot start (port taken, folder unusable) or its stop is cut short (a
second signal); 2 for a bad argument.

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
  version: { type: 'boolean', short: 'v' },
} as const

type OptionName = keyof typeof OPTIONS
type Values = {
  -readonly [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : true
}

/** Parses and validates `argv` (without `node` and the script). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const values = readFlags(argv)
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
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

/**
 * Reads the flags from parseArgs' tokens and checks them here rather than in its strict mode,
 * whose messages run over several sentences and which refuses any value that starts with a
 * dash: `--max-size -5` would be "ambiguous" instead of a bad size.
 */
function readFlags(argv: readonly string[]): Values {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const values: Values = {}
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional') {
      throw new UsageError(`unexpected argument ${quote(token.value)}: tuskit takes only options`)
    }
    const name = token.name
    if (!isOptionName(name)) throw new UsageError(unknownOption(token.rawName, name))
    const flag = token.rawName
    if (OPTIONS[name].type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value`)
      values[name as 'help' | 'version'] = true
      continue
    }
    if (token.value === undefined) throw new UsageError(`${flag} needs a value`)
    // `--dir --port 80`: the value was forgotten. `-5` is left to the flag's own check.
    if (!token.inlineValue && /^--?[A-Za-z]/.test(token.value)) {
      throw new UsageError(
        `${flag} needs a value but got the option ${quote(token.value)};` +
          ` write --${name}=${token.value} if that is the value`,
      )
    }
    values[name as Exclude<OptionName, 'help' | 'version'>] = token.value
  }
  return values
}

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name)
}

/** "unknown option", naming the flag meant when it is a near miss (`--maxsize`, `--dirs`). */
function unknownOption(rawName: string, name: string): string {
  const message = `unknown option ${quote(rawName)}`
  if (rawName.length <= 2) return message // -x: a single letter says nothing of what was meant
  let near: string | undefined
  let nearest = 3 // further than 2 edits is no near miss
  for (const known of Object.keys(OPTIONS)) {
    const distance = editDistance(known, name.toLowerCase())
    if (distance < nearest) [near, nearest] = [known, distance]
  }
  return near === undefined ? message : `${message}, did you mean --${near}?`
}

/** Levenshtein distance, for a handful of short option names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** User text in a message: quoted, with any control character escaped, so it stays one line. */
function quote(text: string): string {
  return JSON.stringify(text)
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULTS.port
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN
  if (!(port <= 65535)) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${quote(value)}`)
  }
  return port
}

function parseMaxSize(value: string): number {
  const size = parseSize(value)
  if (size.ok) return size.bytes
  if (size.reason === 'too-large') {
    throw new UsageError(`--max-size must be at most ${MAX_SIZE} bytes, got ${quote(value)}`)
  }
  throw new UsageError(`--max-size must be a size like 1048576, 512K or 2G, got ${quote(value)}`)
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
      `--path must look like /files (letters, digits, . _ ~ - between slashes, not just /), got ${quote(value)}`,
    )
  }
  for (const url of STATIC_FILES.keys()) {
    if (url === path || url.startsWith(`${path}/`)) {
      throw new UsageError(`--path ${path} would hide the demo page's ${url}; choose another path`)
    }
  }
  return path
}
