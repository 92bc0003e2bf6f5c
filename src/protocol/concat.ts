import { tusError } from '../model/errors.js'
import { single, type HeaderValue } from './headers.js'
import { isValidUploadId } from './upload-id.js'
import type { ConcatInfo } from '../model/upload.js'

/**
 * `Upload-Concat` as a client sends it on POST (tus `concatenation`): `partial`, or
 * `final;<url> <url> ...` listing the partial uploads in order. URLs are absolute
 * (`http(s)://host/files/<id>`) or absolute paths (`/files/<id>`), separated by single spaces.
 */
export type ConcatRequest =
  | { readonly kind: 'partial' }
  /** `urls` as sent, in order (repeats allowed). */
  | { readonly kind: 'final'; readonly urls: readonly string[] }

const FINAL = 'final;'
// scheme://authority then the rest; the authority holds no slash, query, fragment or space.
const ABSOLUTE = /^https?:\/\/[^/?#\s]+(\/.*)?$/i

function invalid(reason: string): never {
  throw tusError('ERR_INVALID_CONCAT', `Upload-Concat is malformed: ${reason}`)
}

/**
 * Parses `Upload-Concat` syntactically; `undefined` when absent. Throws a 400 `TusError`
 * (`ERR_INVALID_CONCAT`) for anything but `partial` or `final;` followed by one or more URLs
 * separated by single spaces.
 */
export function parseUploadConcat(value: HeaderValue): ConcatRequest | undefined {
  const v = single(value)
  if (v === undefined) return undefined
  if (v === 'partial') return { kind: 'partial' }
  if (!v.startsWith(FINAL)) invalid('expected "partial" or "final;<urls>"')
  const list = v.slice(FINAL.length)
  if (list === '') invalid('a final upload needs at least one partial upload')
  const urls = list.split(' ')
  if (urls.some((u) => u === '')) invalid('URLs must be separated by single spaces')
  return { kind: 'final', urls }
}

/**
 * The upload id a URL of a final's list names, against the endpoint's path `base` (`/files`,
 * no trailing slash; `''` for an endpoint at `/`), or any of several (the path behind a
 * proxy's prefix, say). Accepts `<base>/<id>` and `http(s)://<host><base>/<id>` (any host:
 * behind a proxy the public host is not ours to check); the path is compared as sent, without
 * decoding or resolving dot segments. Throws a 400 `TusError` for any other URL, including
 * query strings, fragments and invalid ids.
 */
export function partIdFromUrl(url: string, base: string | readonly string[]): string {
  let path = url
  if (!url.startsWith('/')) {
    const match = ABSOLUTE.exec(url)
    if (match === null) invalid(`"${url}" is not an upload URL`)
    path = match[1] ?? ''
  }
  for (const b of typeof base === 'string' ? [base] : base) {
    const prefix = `${b}/`
    if (!path.startsWith(prefix)) continue
    const id = path.slice(prefix.length)
    if (isValidUploadId(id)) return id
  }
  invalid(`"${url}" is not an upload of this endpoint`)
}

/**
 * `Upload-Concat` parsed and resolved to what a store keeps: `partial`, or `final` with the
 * part ids in order. `undefined` when the header is absent. Throws 400 as the two above.
 */
export function parseConcat(
  value: HeaderValue,
  base: string | readonly string[],
): ConcatInfo | undefined {
  const parsed = parseUploadConcat(value)
  if (parsed === undefined || parsed.kind === 'partial') return parsed
  return { kind: 'final', parts: parsed.urls.map((url) => partIdFromUrl(url, base)) }
}

/**
 * `Upload-Concat` as answered on HEAD: `partial`, or `final;` with each part as the
 * endpoint's path (`/files/<id>`), in order.
 */
export function formatConcat(concat: ConcatInfo, base: string): string {
  if (concat.kind === 'partial') return 'partial'
  return `${FINAL}${concat.parts.map((id) => `${base}/${id}`).join(' ')}`
}
