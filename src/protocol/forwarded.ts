import type { HeaderValue } from './headers.js'

/**
 * Where a reverse proxy says the client really connected to, from `Forwarded` (RFC 7239) or
 * the `X-Forwarded-*` headers. Only used when the app opts in (`respectForwardedHeaders`):
 * these headers are written by whoever sends the request, so they are trusted only behind a
 * proxy that sets or strips them. Every value is validated; an invalid one is ignored, never
 * copied into a `Location`.
 */
export interface ForwardedOrigin {
  /** `http` or `https`. */
  readonly proto?: 'http' | 'https'
  /** A valid host, with an optional port. */
  readonly host?: string
  /** A path prepended to the endpoint's path (`X-Forwarded-Prefix`), no trailing slash. */
  readonly prefix?: string
}

// A host: letters, digits, dots, dashes, an optional port, or a bracketed IPv6 literal.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
const PROTO = /^https?$/i
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]/
// Path segments of unreserved characters, sub-delimiters, ':' '@' and percent-escapes.
const PREFIX = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+)+\/?$/
const MAX_PREFIX = 1024

/** Whether `host` is usable in a URL: a host name or bracketed IPv6, optional port. */
export function isValidHost(host: string): boolean {
  return HOST.test(host)
}

/** Drops the port when it is the default of `proto` (`:80` for http, `:443` for https). */
export function stripDefaultPort(host: string, proto: 'http' | 'https'): string {
  const port = proto === 'http' ? ':80' : ':443'
  return host.endsWith(port) ? host.slice(0, -port.length) : host
}

/** The value of a possibly repeated header, repeats joined as one list. */
function joined(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(',')
}

/** The first element of a comma-separated list, trimmed. */
function firstOfList(value: HeaderValue): string | undefined {
  const v = joined(value)
  if (v === undefined) return undefined
  return (v.split(',')[0] ?? '').trim()
}

/**
 * The parameters (lower-cased names) of the first element of a `Forwarded` header, values
 * unquoted; `undefined` if that element is malformed or repeats a parameter.
 */
export function parseForwarded(header: string): Map<string, string> | undefined {
  const params = new Map<string, string>()
  let i = 0
  const skipSpace = (): void => {
    while (header[i] === ' ' || header[i] === '\t') i++
  }
  for (;;) {
    skipSpace()
    let name = ''
    while (i < header.length && TOKEN.test(header[i] ?? '')) name += header[i++]
    if (name === '' || header[i] !== '=') return undefined
    i++
    let value = ''
    if (header[i] === '"') {
      i++
      for (;;) {
        const c = header[i++]
        if (c === undefined) return undefined // unterminated quoted string
        if (c === '"') break
        if (c === '\\') {
          const escaped = header[i++]
          if (escaped === undefined) return undefined
          value += escaped
        } else value += c
      }
    } else {
      // Lenient: proxies often leave `host:port` unquoted, so take up to a delimiter.
      while (i < header.length && !/[;,\s"]/.test(header[i] ?? '')) value += header[i++]
    }
    const key = name.toLowerCase()
    if (params.has(key)) return undefined
    params.set(key, value)
    skipSpace()
    if (header[i] === ';') {
      i++
      continue
    }
    if (i >= header.length || header[i] === ',') return params
    return undefined
  }
}

/** `X-Forwarded-Prefix` if it is a clean absolute path (no `.`/`..` segments, no `//`). */
export function parsePrefix(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_PREFIX || !PREFIX.test(value)) return undefined
  const path = value.endsWith('/') ? value.slice(0, -1) : value
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return undefined
  return path === '' ? undefined : path
}

function proto(value: string | undefined): 'http' | 'https' | undefined {
  if (value === undefined || !PROTO.test(value)) return undefined
  return value.toLowerCase() as 'http' | 'https'
}

function host(value: string | undefined): string | undefined {
  return value !== undefined && isValidHost(value) ? value : undefined
}

/**
 * The origin a proxy forwarded: `Forwarded` (first element) first, then `X-Forwarded-Host`
 * and `X-Forwarded-Proto` (first of a list), each field on its own; `X-Forwarded-Prefix`
 * for the path. Missing or invalid fields are left out.
 */
export function forwardedOrigin(headers: Readonly<Record<string, HeaderValue>>): ForwardedOrigin {
  const header = joined(headers['forwarded'])
  const forwarded = header === undefined ? undefined : parseForwarded(header)
  const p = proto(forwarded?.get('proto')) ?? proto(firstOfList(headers['x-forwarded-proto']))
  const h = host(forwarded?.get('host')) ?? host(firstOfList(headers['x-forwarded-host']))
  const prefix = parsePrefix(joined(headers['x-forwarded-prefix'])?.trim())
  return {
    ...(p === undefined ? {} : { proto: p }),
    ...(h === undefined ? {} : { host: h }),
    ...(prefix === undefined ? {} : { prefix }),
  }
}
