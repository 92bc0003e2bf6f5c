import { nonNegativeIntegerProblem } from '../protocol/integer.js'

/**
 * Cross-origin access for browser clients (tus-js-client, Uppy on another origin). Without
 * `Access-Control-Expose-Headers` a browser hides `Location` and `Upload-Offset` from the
 * client, which then fails with "invalid or missing offset value"; without the right
 * `Access-Control-Allow-Headers` the preflight of every tus request fails.
 */
export interface CorsOptions {
  /**
   * Origins allowed to use the endpoint from a browser: `'*'` (any, the default), a list of
   * exact origins (`'https://app.example.com'`), or a function deciding per origin.
   */
  origins?: '*' | readonly string[] | ((origin: string) => boolean | Promise<boolean>)
  /**
   * Allow credentialed requests (cookies, HTTP auth): sends
   * `Access-Control-Allow-Credentials: true` and the request's origin instead of `*`. Needs
   * an explicit `origins` list or function. Default `false`.
   */
  credentials?: boolean
  /** Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`). Default 86400. */
  maxAge?: number
  /** Request headers allowed on top of the built-in list (every header the endpoint reads). */
  allowHeaders?: readonly string[]
  /** Response headers exposed on top of the built-in list (every tus response header). */
  exposeHeaders?: readonly string[]
}

/** CORS settings after validation. */
export interface ResolvedCors {
  readonly origins: '*' | ReadonlySet<string> | ((origin: string) => boolean | Promise<boolean>)
  readonly credentials: boolean
  readonly maxAge: number
  /**
   * Request headers the app allows on top of those the endpoint's routes read (which the
   * endpoint derives from its route tables), validated.
   */
  readonly allowHeaders: readonly string[]
  /** `Access-Control-Expose-Headers` value. */
  readonly exposeHeaders: string
}

/** Every response header a tus client (or a download) needs to read. */
export const CORS_EXPOSE_HEADERS: readonly string[] = [
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Expires',
  'Upload-Complete',
  'Upload-Limit',
  'Upload-Draft-Interop-Version',
  'Upload-Incomplete',
  'Content-Disposition',
  'Content-Range',
]

const DEFAULT_MAX_AGE = 86400
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// scheme://host[:port], as browsers serialise an origin (lower case, no path).
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]+$/

function fail(message: string): never {
  throw new TypeError(`tuskit: options.cors${message}`)
}

/** `builtIn`, then the valid header names of `extra` (the app's list) it lacks, once each. */
function headerList(
  name: 'allowHeaders' | 'exposeHeaders',
  builtIn: readonly string[],
  extra: unknown,
): string[] {
  if (extra === undefined) return [...builtIn]
  if (!Array.isArray(extra)) fail(`.${name} must be an array of header names`)
  const out = [...builtIn]
  const seen = new Set(builtIn.map((h) => h.toLowerCase()))
  for (const h of extra as unknown[]) {
    if (typeof h !== 'string' || !HEADER_NAME.test(h)) {
      fail(`.${name} holds an invalid header name: ${String(h)}`)
    }
    if (seen.has(h.toLowerCase())) continue
    seen.add(h.toLowerCase())
    out.push(h)
  }
  return out
}

/**
 * Validates the `cors` option; `undefined` when CORS is off (`false`). Throws a `TypeError`
 * for settings that cannot work, among them `credentials: true` with `origins: '*'` (any
 * site could then act with the user's cookies: list the origins or pass a function).
 */
export function resolveCors(option: false | CorsOptions | undefined): ResolvedCors | undefined {
  if (option === false) return undefined
  if (option === undefined) option = {}
  if (typeof option !== 'object' || option === null) {
    fail(' must be false or an object')
  }
  const { origins = '*', credentials = false, maxAge = DEFAULT_MAX_AGE } = option
  let resolvedOrigins: ResolvedCors['origins']
  if (origins === '*' || typeof origins === 'function') resolvedOrigins = origins
  else if (Array.isArray(origins)) {
    const set = new Set<string>()
    for (const o of origins as unknown[]) {
      const origin = typeof o === 'string' ? o.toLowerCase().replace(/\/$/, '') : ''
      if (!ORIGIN.test(origin)) fail(`.origins holds an invalid origin: ${String(o)}`)
      set.add(origin)
    }
    resolvedOrigins = set
  } else fail(".origins must be '*', an array of origins or a function")
  if (typeof credentials !== 'boolean') fail('.credentials must be a boolean')
  if (credentials && resolvedOrigins === '*') {
    fail(".credentials needs explicit origins (a list or a function), not '*'")
  }
  const maxAgeProblem = nonNegativeIntegerProblem(maxAge)
  if (maxAgeProblem !== undefined) fail(`.maxAge ${maxAgeProblem}`)
  const exposeHeaders = headerList('exposeHeaders', CORS_EXPOSE_HEADERS, option.exposeHeaders)
  return {
    origins: resolvedOrigins,
    credentials,
    maxAge,
    allowHeaders: headerList('allowHeaders', [], option.allowHeaders),
    exposeHeaders: exposeHeaders.join(', '),
  }
}
