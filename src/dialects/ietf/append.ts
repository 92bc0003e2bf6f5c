import { isTusError, tusError, type TusError } from '../../model/errors.js'
import { CONTENT_LENGTH, optionalInt } from '../../protocol/headers.js'
import { appendBody } from '../../uploads/append-body.js'
import { declareLength } from '../../uploads/declare-length.js'
import type { Upload } from '../../model/upload.js'
import type { MethodContext, UploadContext } from '../../context/request.js'
import { tooLargeForDraft } from './fields.js'
import { problemError } from './problem.js'
import { MAX_INTEGER } from '../../protocol/structured-fields.js'

/**
 * The parts of appending that both draft creation and draft PATCH share, on top of the tus
 * building blocks (`appendBody`, `declareLength`).
 */

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

/**
 * Appends the body at the upload's offset (the caller holds the lock and has checked the
 * offset and, with a `Content-Length`, the length). When the request says it completes the
 * upload and its length was not known (a chunked body), the length becomes the offset
 * reached; a chunked body that ends short of a known length is inconsistent (its bytes are
 * kept). An interrupted body never completes the upload.
 */
export async function appendDraftBody(
  ctx: UploadContext,
  upload: Upload,
  interrupt: AbortSignal,
  complete: boolean,
): Promise<Upload> {
  const after = await appendBody(ctx, upload, interrupt)
  if (!complete) return after
  if (after.size === undefined) return declareDraftLength(ctx, after, after.offset)
  if (after.offset !== after.size) {
    throw inconsistentLength(
      `the request completes the upload, but it has ${after.offset} of ${after.size} bytes`,
    )
  }
  return after
}
