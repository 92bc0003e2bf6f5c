import { TusError, isTusError, tusError } from '../protocol/errors.js'
import { isOffsetOctetStream, optionalInt, parseDeferLength, single } from '../protocol/headers.js'
import { parseMetadata } from '../protocol/metadata.js'
import { newUploadId } from '../protocol/upload-id.js'
import type { MethodContext, TusResponse, UploadContext } from '../handler/types.js'
import { uploadUrl } from '../handler/location.js'
import { appendBody } from './append-body.js'
import { withUploadLock } from './with-lock.js'

/**
 * POST (creation): validates every header before anything is stored, creates the upload and,
 * when the body is `application/offset+octet-stream`, stores it too (creation-with-upload).
 */
export async function handlePost(ctx: MethodContext): Promise<TusResponse> {
  const { headers } = ctx.req
  const deferred = parseDeferLength(headers['upload-defer-length'])
  const size = optionalInt(headers['upload-length'], 'ERR_INVALID_UPLOAD_LENGTH')
  if (deferred && size !== undefined) throw tusError('ERR_AMBIGUOUS_LENGTH')
  if (!deferred && size === undefined) throw tusError('ERR_MISSING_LENGTH')
  if (deferred && !ctx.store.capabilities.has('creation-defer-length')) {
    throw tusError('ERR_DEFER_NOT_SUPPORTED')
  }
  const { maxSize } = ctx.options
  if (maxSize !== undefined && size !== undefined && size > maxSize) {
    throw tusError('ERR_MAX_SIZE_EXCEEDED')
  }
  const rawMetadata = single(headers['upload-metadata'])
  const metadata =
    rawMetadata === undefined ? {} : parseMetadata(rawMetadata, ctx.options.maxMetadataSize)
  const withBody = isOffsetOctetStream(headers['content-type'])

  const id = newUploadId()
  let upload = await ctx.store.create({ id, size, metadata })
  const response: TusResponse = {
    status: 201,
    headers: { Location: uploadUrl(ctx, id) },
  }
  if (withBody) {
    const uctx: UploadContext = { ...ctx, id }
    try {
      upload = await withUploadLock(uctx, (interrupt) => appendBody(uctx, upload, interrupt))
    } catch (err) {
      // The upload exists either way: tell the client where, so it can resume.
      if (!isTusError(err)) throw err
      throw new TusError(err.code, err.status, err.message, { ...err.headers, ...response.headers })
    }
    response.headers['Upload-Offset'] = String(upload.offset)
  }
  return response
}
