/**
 * What a `Range` request header asks of a representation of `length` bytes (RFC 9110 §14):
 * the whole of it, one byte range (`end` inclusive), or nothing satisfiable (416).
 */
export type RangeRequest =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' }

const FULL: RangeRequest = { kind: 'full' }
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' }

const BYTES = /^bytes[ \t]*=[ \t]*(.*)$/i
const FIRST_LAST = /^(\d{1,16})[ \t]*-[ \t]*(\d{0,16})$/
const SUFFIX = /^-[ \t]*(\d{1,16})$/

/**
 * Parses a `Range` header against the current length. Supported: one range `bytes=a-b`,
 * `bytes=a-` or `bytes=-n`. Everything the server may ignore is ignored (the whole
 * representation is served): no header, another unit, malformed syntax, `b < a`, and
 * requests for several ranges (no multipart responses).
 */
export function parseRange(header: string | undefined, length: number): RangeRequest {
  if (header === undefined) return FULL
  const match = BYTES.exec(header.trim())
  if (!match) return FULL
  const spec = (match[1] ?? '').trim()
  if (spec.includes(',')) return FULL
  const suffix = SUFFIX.exec(spec)
  if (suffix) {
    const n = Number(suffix[1])
    if (!Number.isSafeInteger(n)) return FULL
    if (n === 0 || length === 0) return UNSATISFIABLE
    return { kind: 'partial', start: Math.max(0, length - n), end: length - 1 }
  }
  const range = FIRST_LAST.exec(spec)
  if (!range) return FULL
  const start = Number(range[1])
  const last = range[2] === '' || range[2] === undefined ? undefined : Number(range[2])
  if (!Number.isSafeInteger(start)) return FULL
  if (last !== undefined && (!Number.isSafeInteger(last) || last < start)) return FULL
  if (start >= length) return UNSATISFIABLE
  return {
    kind: 'partial',
    start,
    end: last === undefined ? length - 1 : Math.min(last, length - 1),
  }
}
