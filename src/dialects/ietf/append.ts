import { isTusError, tusError, type TusError } from '../../model/errors.js'
import { CONTENT_LENGTH, optionalInt } from '../../protocol/headers.js'
import { declareLength } from '../../uploads/declare-length.js'
import type { CreationRules } from '../../uploads/create-and-write.js'
import type { Upload } from '../../model/upload.js'
import type { MethodContext, UploadContext } from '../../context/request.js'
import { completeHeader, tooLargeForDraft, uploadLimit } from './fields.js'
import { draftVersion } from './interop.js'
import { addHeaders, problemError } from './problem.js'
import { MAX_INTEGER } from '../../protocol/structured-fields.js'

/**
 * What draft creation and draft append share: the body's length, and the draft's words for
 * the refusals of the shared write path (src/uploads/write-chunk.ts).
 */

/** Status and reason of the draft's interim response. */
export const UPLOAD_RESUMPTION_SUPPORTED = 104

/** A 400 `inconsistent-upload-length` problem. */
export function inconsistentLength(detail: string): TusError {
  return problemError(tusError('ERR_INCONSISTENT_LENGTH', detail), 'inconsistent-upload-length')
}

/**
 * Bytes in the request body: `Content-Length`, else 0 for a request without a body, or
 * `undefined` for a chunked one (its length is known only once it has ended). A length past
 * what the draft's Integer fields carry is refused: the upload could not be described.
 */
export function bodyLength(ctx: MethodContext): number | undefined {
  const { headers } = ctx.req
  const length = optionalInt(headers['content-length'], CONTENT_LENGTH)
  if (length !== undefined && length > MAX_INTEGER) {
    throw tusError('ERR_CONTENT_LENGTH_TOO_LARGE', tooLargeForDraft('Content-Length'))
  }
  if (length !== undefined) return length
  return headers['transfer-encoding'] === undefined ? 0 : undefined
}

/**
 * Sets the upload's length, as `Upload-Length` or `Upload-Complete: ?1` imply it: a length
 * differing from the known one, or below the offset, is an `inconsistent-upload-length`
 * problem; above `maxSize` a 413.
 */
export async function declareDraftLength(
  ctx: UploadContext,
  upload: Upload,
  length: number,
): Promise<Upload> {
  try {
    return await declareLength(ctx, upload, length)
  } catch (err) {
    if (isTusError(err) && err.code === 'ERR_LENGTH_ALREADY_SET') {
      throw inconsistentLength(`the upload's length is ${upload.size}, not ${length}`)
    }
    if (isTusError(err) && err.code === 'ERR_LENGTH_BELOW_OFFSET') {
      throw inconsistentLength(`a length of ${length} is below the offset ${upload.offset}`)
    }
    throw err
  }
}

/** The draft's refusals in the shared write and creation paths (append, creation). */
export const DRAFT_WRITES: CreationRules = {
  offsetMismatch: (uctx, upload, provided) =>
    problemError(
      tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(upload.offset) }),
      'mismatching-upload-offset',
      { 'expected-offset': upload.offset, 'provided-offset': provided },
      completeHeader(draftVersion(uctx), false),
    ),
  declareLength: declareDraftLength,
  lengthConflict: inconsistentLength,
  // As soon as the upload exists: where it is, and what it may hold.
  created: (ctx, upload, location) =>
    ctx.req.sendInterim?.(UPLOAD_RESUMPTION_SUPPORTED, {
      Location: location,
      'Upload-Draft-Interop-Version': String(draftVersion(ctx)),
      'Upload-Limit': uploadLimit(ctx, upload),
    }),
  withHeaders: addHeaders,
}
