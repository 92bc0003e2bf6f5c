import { tusError } from '../../model/errors.js'
import { single } from '../../protocol/headers.js'
import type { TusResponse, UploadContext } from '../../context/request.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { afterWrite, getLive } from '../../uploads/lifecycle.js'
import { partWritten, refuseFinal } from '../../uploads/concat.js'
import { appendDraftBody, bodyLength, declareDraftLength, inconsistentLength } from './append.js'
import {
  completeHeader,
  readComplete,
  readInteger,
  stateHeaders,
  tooLargeForDraft,
} from './fields.js'
import { PARTIAL_UPLOAD, requiresPartialUploadType } from './interop.js'
import { problemError } from './problem.js'
import { MAX_INTEGER } from '../../protocol/structured-fields.js'

/**
 * Draft append: `PATCH` with `Upload-Offset` and `Upload-Complete` (both required) and, from
 * interop 6 on, `Content-Type: application/partial-upload`. Under the upload's lock, like a
 * tus PATCH (a newer request for the upload interrupts this one):
 *
 * - a wrong offset is a 409 with the right `Upload-Offset`, `Upload-Complete: ?0` and a
 *   `mismatching-upload-offset` problem, and changes nothing;
 * - `Upload-Complete: ?1` declares the length (offset + body); `Upload-Length` may declare it
 *   too; lengths that disagree, or a body past the known length, are a 400
 *   `inconsistent-upload-length` problem;
 * - 204 with the new state; `Upload-Complete: ?1` once the upload has all its bytes (also for
 *   an empty `?1` append to a complete upload: a client that lost the final response).
 */
export async function handleDraftAppend(ctx: UploadContext, version: number): Promise<TusResponse> {
  const { headers } = ctx.req
  if (requiresPartialUploadType(version) && !isPartialUpload(single(headers['content-type']))) {
    throw tusError('ERR_INVALID_CONTENT_TYPE', `Content-Type must be ${PARTIAL_UPLOAD}`)
  }
  const offset = readInteger(headers, 'upload-offset')
  if (offset === undefined) throw tusError('ERR_INVALID_OFFSET', 'Upload-Offset is required')
  const complete = readComplete(headers, version)
  if (complete === undefined) {
    throw tusError('ERR_INVALID_UPLOAD_COMPLETE', 'Upload-Complete is required')
  }
  const declared = readInteger(headers, 'upload-length')
  const length = bodyLength(ctx)
  // The offset this append would reach must fit the fields that report it.
  if (length !== undefined && offset + length > MAX_INTEGER) {
    throw tusError('ERR_UPLOAD_LENGTH_TOO_LARGE', tooLargeForDraft('the upload'))
  }
  if (complete && declared !== undefined && length !== undefined && declared !== offset + length) {
    throw inconsistentLength(
      `Upload-Length is ${declared} but the upload ends at ${offset + length} bytes`,
    )
  }

  const response: TusResponse = { status: 204, headers: {} }
  await withUploadLock(ctx, async (interrupt) => {
    const before = await getLive(ctx)
    refuseFinal(before)
    // Offset first: a 409 leaves the upload unmodified, its length included.
    if (before.offset !== offset) {
      throw problemError(
        tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(before.offset) }),
        'mismatching-upload-offset',
        { 'expected-offset': before.offset, 'provided-offset': offset },
        completeHeader(version, false),
      )
    }
    let current = before
    const implied = complete && length !== undefined ? offset + length : declared
    if (implied !== undefined) current = await declareDraftLength(ctx, current, implied)
    if (current.size !== undefined && length !== undefined && offset + length > current.size) {
      throw inconsistentLength(
        `the content (${length} bytes at offset ${offset}) goes past the length ${current.size}`,
      )
    }
    const after = await appendDraftBody(ctx, current, interrupt, complete)
    // Still under the lock: the finish hook runs once, before any other request sees the end.
    await afterWrite(ctx, before, after, response.headers)
    partWritten(ctx, before, after)
    Object.assign(response.headers, stateHeaders(ctx, version, after))
  })
  return response
}

function isPartialUpload(value: string | undefined): boolean {
  if (value === undefined) return false
  return value.split(';')[0]!.trim().toLowerCase() === PARTIAL_UPLOAD
}
