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
const FIRST_LAST = /^(\d+)[ \t]*-[ \t]*(\d*)$/
const SUFFIX = /^-[ \t]*(\d+)$/

/**
 * Parses a `Range` header against the current length. Supported: one range `bytes=a-b`,
 * `bytes=a-` or `bytes=-n`. Everything the server may ignore is ignored (the whole
 * representation is served): no header, another unit, malformed syntax, `b < a`, and
 * requests for several ranges (no multipart responses).
 *
 * Positions have any number of digits (RFC 9110 sets no limit). One past
 * `Number.MAX_SAFE_INTEGER` is past any stored length, so it means what the RFC says of any
 * large position: a first byte there is unsatisfiable, a last byte there ends at the last
 * stored byte, a suffix that long is the whole representation.
 */
export function parseRange(header: string | undefined, length: number): RangeRequest {
  if (header === undefined) return FULL
  const match = BYTES.exec(header.trim())
  if (!match) return FULL
  const spec = (match[1] ?? '').trim()
  if (spec.includes(',')) return FULL
  const suffix = SUFFIX.exec(spec)
  if (suffix) {
    // Unsafe values round, but stay above any length: the suffix then starts at 0.
    const n = Number(suffix[1])
    if (n === 0 || length === 0) return UNSATISFIABLE
    return { kind: 'partial', start: Math.max(0, length - n), end: length - 1 }
  }
  const range = FIRST_LAST.exec(spec)
  if (!range) return FULL
  const first = range[1] ?? ''
  const lastDigits = range[2] ?? ''
  // Exact comparison: two unsafe positions may round to the same number.
  if (lastDigits !== '' && BigInt(lastDigits) < BigInt(first)) return FULL
  const start = Number(first)
  const last = lastDigits === '' ? undefined : Number(lastDigits)
  if (start >= length) return UNSATISFIABLE
  return {
    kind: 'partial',
    start,
    end: last === undefined ? length - 1 : Math.min(last, length - 1),
  }
}
