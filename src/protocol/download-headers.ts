import type MimeTypes from 'mime-types'
import { requireCjs } from '../util/require-cjs.js'
import type { Metadata } from '../model/upload.js'

/**
 * How a download is presented to a browser, decided from the upload's metadata only. The
 * metadata is written by whoever uploaded, so it is treated as hostile: a file that a browser
 * could run as a page (HTML, SVG, XML, scripts) must never be served under its own type or
 * `inline` from the upload server's origin, or an uploader could plant a stored XSS.
 *
 * The policy is the one of tusd and @tus/server: a type on a short allow-list of types a
 * browser only displays (images other than SVG, audio, video, plain text, PDF) is served as
 * itself and `inline`; everything else as `application/octet-stream` and `attachment`.
 */

/** The response headers of a download. */
export interface DownloadHeaders {
  'Content-Type': string
  'Content-Disposition': string
}

const OCTET_STREAM = 'application/octet-stream'

// RFC 9110 token characters, for the type and the subtype; no parameters, no spaces.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** Types served as themselves and `inline`; every other type is a download. */
const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'text/plain',
  'application/pdf',
])

/** A lower-cased `type/subtype` if `value` is exactly that (no parameters), else `undefined`. */
export function plainMediaType(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const type = value.trim().toLowerCase()
  return MEDIA_TYPE.test(type) ? type : undefined
}

/** Whether a (valid, lower-case) media type may be served as itself and shown inline. */
export function isInlineType(type: string): boolean {
  if (INLINE_TYPES.has(type)) return true
  return type.startsWith('audio/') || type.startsWith('video/')
}

/**
 * The media type an upload claims: its `filetype` metadata if that is a plain `type/subtype`,
 * else the type of its `filename`'s extension, else `undefined`.
 */
export function claimedType(metadata: Readonly<Metadata>): string | undefined {
  const declared = plainMediaType(metadata['filetype'])
  if (declared !== undefined) return declared
  const filename = metadata['filename']
  if (typeof filename !== 'string' || filename === '') return undefined
  return plainMediaType(lookupType(filename) || undefined)
}

let lookup: typeof MimeTypes.lookup | undefined

/** mime-types, loaded at the first download that needs it: its table takes about 6 MiB. */
function lookupType(filename: string): string | false {
  lookup ??= (requireCjs('mime-types') as typeof MimeTypes).lookup
  return lookup(filename)
}

/** `Content-Type` and `Content-Disposition` for downloading an upload with this metadata. */
export function downloadHeaders(metadata: Readonly<Metadata>): DownloadHeaders {
  const type = claimedType(metadata)
  const inline = type !== undefined && isInlineType(type)
  const filename = metadata['filename']
  return {
    'Content-Type': inline ? type : OCTET_STREAM,
    'Content-Disposition': contentDisposition(
      inline ? 'inline' : 'attachment',
      typeof filename === 'string' ? filename : undefined,
    ),
  }
}

// Characters dropped from a file name: C0 and C1 controls, DEL, quotes, backslashes,
// slashes, and the invisible Unicode controls that can disguise an extension (bidi
// overrides such as U+202E turn `evil‮gpj.exe` into what reads as `evilexe.jpg`).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f"\\/\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g
const MAX_NAME = 200
// Half of a UTF-16 pair without the other half cannot be encoded. Removed before spaces are
// collapsed, so that removing it cannot leave two spaces for a second pass to collapse.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * A file name made safe to send: unsafe characters (see above) and lone surrogates removed,
 * whitespace runs collapsed to one space, trimmed, at most 200 characters. May be empty.
 */
export function sanitizeFilename(name: string): string {
  let out = ''
  let count = 0
  const cleaned = name.replace(UNSAFE, '').replace(LONE_SURROGATE, '')
  for (const ch of cleaned.replace(/\s+/g, ' ').trim()) {
    if (count++ === MAX_NAME) break
    out += ch
  }
  return out.trim()
}

/**
 * A `Content-Disposition` value (RFC 6266): `inline` or `attachment`, plus the sanitised
 * file name as a quoted ASCII `filename` (other characters and `%` become `_`) and, when
 * that lost anything, the exact name as an RFC 8187 `filename*=UTF-8''…`. No `filename` when
 * there is no usable name.
 */
export function contentDisposition(type: 'inline' | 'attachment', filename?: string): string {
  const name = filename === undefined ? '' : sanitizeFilename(filename)
  if (name === '') return type
  const fallback = name.replace(/[^\x20-\x7e]|%/gu, '_')
  let value = `${type}; filename="${fallback}"`
  if (fallback !== name) value += `; filename*=UTF-8''${encodeRfc8187(name)}`
  return value
}

/** Percent-encodes UTF-8 bytes of everything but RFC 8187 `attr-char`s. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}
