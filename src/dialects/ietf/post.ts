import { tusError } from '../../model/errors.js'
import type { MethodContext, TusResponse } from '../../context/request.js'
import { createAndWrite } from '../../uploads/create-and-write.js'
import { DRAFT_WRITES, bodyLength, inconsistentLength } from './append.js'
import { readComplete, readInteger, stateHeaders } from './fields.js'
import { draftVersion } from './interop.js'
import { creationMetadata } from './metadata.js'

/**
 * Draft upload creation: a request with content (POST, or PUT/PATCH) to the creation URL
 * with `Upload-Complete` (interop 3: `Upload-Incomplete`, or neither). Every header is checked
 * before anything is stored:
 *
 * - the length is `Upload-Length`, or with `Upload-Complete: ?1` the body's length, or else
 *   unknown (deferred); two lengths that differ, or a body longer than the length, are a 400
 *   `inconsistent-upload-length` problem; more than `maxSize` a 413;
 * - the metadata comes from `Content-Disposition` and `Content-Type` (see metadata.ts).
 *
 * Then the upload is created, a `104 Upload Resumption Supported` interim response tells the
 * client its `Location` (adapters that can send interim responses), and the body is appended
 * as by a draft PATCH. The final response is 201 with `Location` and the upload's state.
 */
export async function handleDraftCreation(ctx: MethodContext): Promise<TusResponse> {
  const { headers } = ctx.req
  const version = draftVersion(ctx)
  const complete = readComplete(headers, version)
  if (complete === undefined) {
    throw tusError('ERR_INVALID_UPLOAD_COMPLETE', 'Upload-Complete is required to create an upload')
  }
  const declared = readInteger(headers, 'upload-length')
  const length = bodyLength(ctx)
  let size = declared
  if (complete && length !== undefined) {
    if (declared !== undefined && declared !== length) {
      throw inconsistentLength(`Upload-Length is ${declared} but the complete content is ${length}`)
    }
    size = length
  }
  if (size !== undefined && length !== undefined && length > size) {
    throw inconsistentLength(`the content (${length} bytes) is longer than Upload-Length ${size}`)
  }
  const { maxSize } = ctx
  if (maxSize !== undefined && ((size ?? 0) > maxSize || (length ?? 0) > maxSize)) {
    throw tusError('ERR_MAX_SIZE_EXCEEDED')
  }
  if (size === undefined && !ctx.store.capabilities.has('creation-defer-length')) {
    throw tusError(
      'ERR_DEFER_NOT_SUPPORTED',
      'this server needs Upload-Length, or Upload-Complete: ?1 with a Content-Length',
    )
  }
  const metadata = creationMetadata(ctx)
  const chunk =
    length === 0
      ? undefined
      : { offset: 0, length: undefined, bodyLength: length, complete, checksum: undefined }

  const response: TusResponse = { status: 201, headers: {} }
  const upload = await createAndWrite(
    ctx,
    DRAFT_WRITES,
    { size, metadata },
    chunk,
    response.headers,
  )
  Object.assign(response.headers, stateHeaders(ctx, version, upload))
  return response
}
