import { isTusError, tusError } from '../../model/errors.js'
import { isComplete } from '../../model/upload.js'
import type { MethodContext, TusResponse, UploadContext } from '../../context/request.js'
import { uploadUrl } from '../../uploads/location.js'
import { createUpload } from '../../uploads/create-upload.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { afterWrite, finish } from '../../uploads/lifecycle.js'
import { appendDraftBody, bodyLength, inconsistentLength } from './append.js'
import { readComplete, readInteger, stateHeaders, uploadLimit } from './fields.js'
import { creationMetadata } from './metadata.js'
import { addHeaders } from './problem.js'

/** Status and reason of the draft's interim response. */
export const UPLOAD_RESUMPTION_SUPPORTED = 104

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
export async function handleDraftCreation(
  ctx: MethodContext,
  version: number,
): Promise<TusResponse> {
  const { headers } = ctx.req
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

  const created = await createUpload(ctx, { size, metadata })
  ctx.events.emit('created', created)
  const location = uploadUrl(ctx, created.id)
  ctx.req.sendInterim?.(UPLOAD_RESUMPTION_SUPPORTED, {
    Location: location,
    'Upload-Draft-Interop-Version': String(version),
    'Upload-Limit': uploadLimit(ctx, created),
  })
  const response: TusResponse = { status: 201, headers: { Location: location } }
  if (isComplete(created)) await finish(ctx, created, response.headers)
  let upload = created
  if (length !== 0) {
    const uctx: UploadContext = { ...ctx, id: created.id }
    try {
      upload = await withUploadLock(uctx, (interrupt) =>
        appendDraftBody(uctx, created, interrupt, complete),
      )
      await afterWrite(ctx, created, upload, response.headers)
    } catch (err) {
      // The upload exists either way: tell the client where, so it can resume.
      if (!isTusError(err)) throw err
      throw addHeaders(err, { Location: location })
    }
  }
  Object.assign(response.headers, stateHeaders(ctx, version, upload))
  return response
}
