import { tusError } from '../../model/errors.js'
import { single } from '../../protocol/headers.js'
import type { TusResponse, UploadContext } from '../../context/request.js'
import { writeChunk } from '../../uploads/write-chunk.js'
import { DRAFT_WRITES, bodyLength, inconsistentLength } from './append.js'
import { readComplete, readInteger, stateHeaders, tooLargeForDraft } from './fields.js'
import { PARTIAL_UPLOAD, draftVersion, requiresPartialUploadType } from './interop.js'
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
export async function handleDraftAppend(ctx: UploadContext): Promise<TusResponse> {
  const { headers } = ctx.req
  const version = draftVersion(ctx)
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
  const chunk = {
    offset,
    // A complete append of known size says where the upload ends.
    length: complete && length !== undefined ? offset + length : declared,
    bodyLength: length,
    complete,
    checksum: undefined,
  }
  const response: TusResponse = { status: 204, headers: {} }
  const after = await writeChunk(ctx, DRAFT_WRITES, chunk, response.headers)
  Object.assign(response.headers, stateHeaders(ctx, version, after))
  return response
}

function isPartialUpload(value: string | undefined): boolean {
  if (value === undefined) return false
  return value.split(';')[0]!.trim().toLowerCase() === PARTIAL_UPLOAD
}
