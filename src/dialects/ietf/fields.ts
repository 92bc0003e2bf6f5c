import type { IncomingHttpHeaders } from 'node:http'
import { tusError } from '../../model/errors.js'
import { expiresAt } from '../../uploads/lifecycle.js'
import { isComplete, type Upload } from '../../model/upload.js'
import type { MethodContext } from '../../context/request.js'
import {
  MAX_INTEGER,
  isOverlongInteger,
  parseBoolean,
  parseNonNegativeInteger,
  serializeBoolean,
  serializeDictionary,
  serializeInteger,
} from '../../protocol/structured-fields.js'
import { usesUploadIncomplete } from './interop.js'

/**
 * The draft's own header fields, read and written as Structured Fields (RFC 8941). A field
 * that is present but not a valid Item of its type is refused with a 400 rather than silently
 * ignored: every one of them changes what happens to the upload's bytes.
 */

/**
 * Whether the request says it carries the end of the upload: `Upload-Complete` (a Boolean),
 * or for interop 3 the inverse `Upload-Incomplete`, which may be left out (meaning complete).
 * `undefined` when `Upload-Complete` is absent; 400 when malformed.
 */
export function readComplete(headers: IncomingHttpHeaders, version: number): boolean | undefined {
  if (usesUploadIncomplete(version)) {
    const raw = headers['upload-incomplete']
    if (raw === undefined) return true
    const incomplete = parseBoolean(raw)
    if (incomplete === undefined) {
      throw tusError('ERR_INVALID_UPLOAD_COMPLETE', 'Upload-Incomplete must be ?0 or ?1')
    }
    return !incomplete
  }
  const raw = headers['upload-complete']
  if (raw === undefined) return undefined
  const complete = parseBoolean(raw)
  if (complete === undefined) throw tusError('ERR_INVALID_UPLOAD_COMPLETE')
  return complete
}

/** Whether the request names the draft's completeness field at all (creation detection). */
export function hasCompleteField(headers: IncomingHttpHeaders, version: number): boolean {
  return usesUploadIncomplete(version)
    ? true // interop 3: a missing Upload-Incomplete means "complete"
    : headers['upload-complete'] !== undefined
}

/**
 * A non-negative SF Integer header (`Upload-Offset`, `Upload-Length`); 400 when malformed, and
 * the "too large" error when it is an integer of more than 15 digits, beyond what the field
 * can carry (413 for a length, as for any length the server cannot take; 400 for an offset).
 */
export function readInteger(
  headers: IncomingHttpHeaders,
  name: 'upload-offset' | 'upload-length',
): number | undefined {
  const raw = headers[name]
  if (raw === undefined) return undefined
  const value = parseNonNegativeInteger(raw)
  if (value !== undefined) return value
  const field = name === 'upload-offset' ? 'Upload-Offset' : 'Upload-Length'
  if (isOverlongInteger(raw)) {
    throw tusError(
      name === 'upload-offset' ? 'ERR_OFFSET_TOO_LARGE' : 'ERR_UPLOAD_LENGTH_TOO_LARGE',
      tooLargeForDraft(field),
    )
  }
  throw tusError(
    name === 'upload-offset' ? 'ERR_INVALID_OFFSET' : 'ERR_INVALID_UPLOAD_LENGTH',
    `${field} must be a non-negative structured-field Integer`,
  )
}

/** The reason of a draft "too large" error: the fields carry at most 15 digits. */
export function tooLargeForDraft(field: string): string {
  return `${field} is too large (more than ${MAX_INTEGER}, the most a structured-field Integer carries)`
}

/** `Upload-Complete: ?1|?0`, or for interop 3 `Upload-Incomplete` (the inverse). */
export function completeHeader(version: number, complete: boolean): Record<string, string> {
  return usesUploadIncomplete(version)
    ? { 'Upload-Incomplete': serializeBoolean(!complete) }
    : { 'Upload-Complete': serializeBoolean(complete) }
}

/**
 * `Upload-Limit`: `max-size` with a size limit, else `min-size=0` (the draft's way of saying
 * "no limits"); for an unfinished upload that can expire, `max-age` in seconds left.
 */
export function uploadLimit(ctx: MethodContext, upload?: Upload): string {
  const members: Array<[string, number]> = []
  if (ctx.maxSize !== undefined) members.push(['max-size', Math.min(ctx.maxSize, MAX_INTEGER)])
  else members.push(['min-size', 0])
  if (upload !== undefined && !isComplete(upload)) {
    const at = expiresAt(ctx, upload)
    if (at !== undefined) {
      members.push(['max-age', Math.max(0, Math.floor((at.getTime() - Date.now()) / 1000))])
    }
  }
  return serializeDictionary(members)
}

/** The headers describing an upload's state (HEAD, and the end of creation and appends). */
export function stateHeaders(
  ctx: MethodContext,
  version: number,
  upload: Upload,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Upload-Offset': serializeInteger(upload.offset),
    ...completeHeader(version, isComplete(upload)),
  }
  if (upload.size !== undefined) headers['Upload-Length'] = serializeInteger(upload.size)
  headers['Upload-Limit'] = uploadLimit(ctx, upload)
  return headers
}
