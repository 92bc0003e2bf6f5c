import { tusError, type TusErrorCode } from './errors.js'
import { OFFSET_OCTET_STREAM, OVERRIDABLE_METHODS, SUPPORTED_VERSIONS } from './constants.js'

/** Header value as Node gives it: missing, one string, or a repeated header. */
export type HeaderValue = string | readonly string[] | undefined

/** Only a single, unrepeated header value counts; a repeated tus header is ambiguous. */
export function single(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  return value.length === 1 ? value[0] : '\0repeated'
}

const DIGITS = /^\d{1,16}$/

/**
 * Parses a non-negative integer header strictly: ASCII digits only, no sign, no spaces,
 * no exponent, at most `Number.MAX_SAFE_INTEGER`. Throws `code` otherwise.
 */
export function parseNonNegativeInt(value: string, code: TusErrorCode): number {
  if (!DIGITS.test(value)) throw tusError(code)
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw tusError(code)
  return n
}

/** Parses an optional integer header; `undefined` when absent. */
export function optionalInt(value: HeaderValue, code: TusErrorCode): number | undefined {
  const v = single(value)
  return v === undefined ? undefined : parseNonNegativeInt(v, code)
}

/** Throws 412 unless `Tus-Resumable` names a supported version. */
export function checkTusResumable(value: HeaderValue): void {
  const v = single(value)
  if (v === undefined) throw tusError('ERR_MISSING_TUS_RESUMABLE')
  if (!SUPPORTED_VERSIONS.includes(v)) throw tusError('ERR_UNSUPPORTED_VERSION')
}

/**
 * The method a request stands for. `X-HTTP-Method-Override` is honoured on POST only, so a
 * cross-site GET can never be turned into a state change.
 */
export function effectiveMethod(method: string, override: HeaderValue): string {
  const o = single(override)
  if (o === undefined || method !== 'POST') return method
  const upper = o.trim().toUpperCase()
  if (!OVERRIDABLE_METHODS.has(upper)) throw tusError('ERR_INVALID_METHOD_OVERRIDE')
  return upper
}

/** Whether a Content-Type header is `application/offset+octet-stream` (parameters allowed). */
export function isOffsetOctetStream(value: HeaderValue): boolean {
  const v = single(value)
  if (v === undefined) return false
  const semi = v.indexOf(';')
  const type = (semi === -1 ? v : v.slice(0, semi)).trim().toLowerCase()
  return type === OFFSET_OCTET_STREAM
}

/** `Upload-Defer-Length`: absent, or exactly `1`. */
export function parseDeferLength(value: HeaderValue): boolean {
  const v = single(value)
  if (v === undefined) return false
  if (v !== '1') throw tusError('ERR_INVALID_DEFER_LENGTH')
  return true
}
