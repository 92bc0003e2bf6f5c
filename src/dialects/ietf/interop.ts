import type { IncomingHttpHeaders } from 'node:http'
import type { MethodContext } from '../../context/request.js'

/**
 * The `Upload-Draft-Interop-Version`s this server speaks, and what changed between them
 * (draft-ietf-httpbis-resumable-upload):
 *
 * | interop | drafts    | differences that matter here                                       |
 * | ------- | --------- | ------------------------------------------------------------------ |
 * | 3       | -01       | `Upload-Incomplete` (the inverse of `Upload-Complete`)              |
 * | 4       | -02       | `Upload-Complete`                                                   |
 * | 5       | -03       | (tus-js-client `protocol: 'ietf-draft-03'`)                         |
 * | 6       | -04, -05  | PATCH needs `Content-Type: application/partial-upload`; `Upload-Limit`, `Upload-Length` (tus-js-client `'ietf-draft-05'`) |
 * | 7       | -06 … -08 | `max-age` limit                                                     |
 * | 8       | -09 … -11 | problem types; DELETE need not be 204                               |
 *
 * Newer fields (`Upload-Limit`, `Upload-Length`, problem bodies) are sent to every version:
 * older clients ignore fields they do not know.
 */
export const INTEROP_VERSIONS: readonly number[] = [3, 4, 5, 6, 7, 8]

/** The newest interop version, for documentation and tests. */
export const LATEST_INTEROP_VERSION = 8

/** Media type of draft appends (PATCH), required from interop 6 on. */
export const PARTIAL_UPLOAD = 'application/partial-upload'

/**
 * The interop version a request speaks, or `undefined` when it carries none or one this
 * server does not know: such requests are handled as tus 1.0. The value is a plain decimal
 * (an SF Integer), one field only.
 */
export function interopVersion(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['upload-draft-interop-version']
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (!/^\d{1,3}$/.test(text)) return undefined
  const version = Number(text)
  return INTEROP_VERSIONS.includes(version) ? version : undefined
}

/** Interop 3 says `Upload-Incomplete` where later versions say `Upload-Complete`. */
export function usesUploadIncomplete(version: number): boolean {
  return version <= 3
}

/** From interop 6 on, an append must be `Content-Type: application/partial-upload`. */
export function requiresPartialUploadType(version: number): boolean {
  return version >= 6
}

/** The interop version of a request the endpoint routed to the draft. */
export function draftVersion(ctx: MethodContext): number {
  if (ctx.dialect.name !== 'ietf-draft') {
    throw new Error('tuskit: a tus 1.0 request reached the IETF draft routes')
  }
  return ctx.dialect.version
}
