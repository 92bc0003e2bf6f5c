import { tusError, type TusErrorCode } from '../model/errors.js'
import { OFFSET_OCTET_STREAM, OVERRIDABLE_METHODS, SUPPORTED_VERSIONS } from './constants.js'

/** Header value as Node gives it: missing, one string, or a repeated header. */
export type HeaderValue = string | readonly string[] | undefined

/** Only a single, unrepeated header value counts; a repeated tus header is ambiguous. */
export function single(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  return value.length === 1 ? value[0] : '\0repeated'
}

/** The two ways an integer header can fail: not a non-negative integer, or one too large. */
export interface IntegerHeader {
  readonly invalid: TusErrorCode
  readonly tooLarge: TusErrorCode
}

export const UPLOAD_LENGTH: IntegerHeader = {
  invalid: 'ERR_INVALID_UPLOAD_LENGTH',
  tooLarge: 'ERR_UPLOAD_LENGTH_TOO_LARGE',
}
export const UPLOAD_OFFSET: IntegerHeader = {
  invalid: 'ERR_INVALID_OFFSET',
  tooLarge: 'ERR_OFFSET_TOO_LARGE',
}
export const CONTENT_LENGTH: IntegerHeader = {
  invalid: 'ERR_INVALID_CONTENT_LENGTH',
  tooLarge: 'ERR_CONTENT_LENGTH_TOO_LARGE',
}

const DIGITS = /^\d+$/

/**
 * Parses a non-negative integer header strictly: ASCII digits only (leading zeros allowed),
 * no sign, no spaces, no exponent. Throws `header.invalid` for anything else, and
 * `header.tooLarge` for a well-formed integer above `Number.MAX_SAFE_INTEGER`, which a
 * JavaScript number cannot hold exactly: it is a value the server cannot take, not a
 * malformed one.
 */
export function parseNonNegativeInt(value: string, header: IntegerHeader): number {
  if (!DIGITS.test(value)) throw tusError(header.invalid)
  // Past 2^53 - 1 the conversion rounds, but never down to a safe integer.
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw tusError(header.tooLarge)
  return n
}

/** Parses an optional integer header; `undefined` when absent. */
export function optionalInt(value: HeaderValue, header: IntegerHeader): number | undefined {
  const v = single(value)
  return v === undefined ? undefined : parseNonNegativeInt(v, header)
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
