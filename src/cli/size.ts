/**
 * Sizes as people type them on a command line: `1048576`, `512K`, `2G`. The suffixes K, M, G
 * and T are binary (1K = 1024 bytes) and case-insensitive, and may be followed by `B` or `iB`:
 * `2G`, `2g`, `2GB` and `2GiB` are all 2147483648, as in most tools that take sizes (a decimal
 * reading of `GB` would differ by 7% for no benefit here). A bare `B` is allowed (`100B`).
 */

/**
 * The result of {@link parseSize}: the bytes, or why the text is not a size. `syntax`: not a
 * whole number with an optional suffix; `too-large`: more than {@link MAX_SIZE} bytes.
 */
export type ParsedSize =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly reason: 'syntax' | 'too-large' }

/** Largest size accepted: Number.MAX_SAFE_INTEGER, the largest exact integer of a number. */
export const MAX_SIZE = Number.MAX_SAFE_INTEGER

const SIZE = /^(\d+)(?:([KMGT])(?:i?B)?|B)?$/i
const POWERS: Readonly<Record<string, bigint>> = { K: 1n, M: 2n, G: 3n, T: 4n }

/** Parses a size; no signs, fractions, exponents or spaces. Never throws. */
export function parseSize(text: string): ParsedSize {
  const match = SIZE.exec(text)
  if (match === null) return { ok: false, reason: 'syntax' }
  const [, digits = '', suffix = ''] = match
  // BigInt so that a long digit string or a big multiple is compared exactly, not rounded.
  const bytes = BigInt(digits) * 1024n ** (POWERS[suffix.toUpperCase()] ?? 0n)
  if (bytes > BigInt(MAX_SIZE)) return { ok: false, reason: 'too-large' }
  return { ok: true, bytes: Number(bytes) }
}
