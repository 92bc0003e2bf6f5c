import { TusError, isTusError, tusError } from '../../model/errors.js'
import {
  CONTENT_LENGTH,
  isOffsetOctetStream,
  optionalInt,
  parseDeferLength,
  single,
  UPLOAD_LENGTH,
} from '../../protocol/headers.js'
import { parseMetadata } from '../../protocol/metadata.js'
import { isComplete } from '../../model/upload.js'
import type { MethodContext, TusResponse, UploadContext } from '../../context/request.js'
import { uploadUrl } from '../../uploads/location.js'
import { appendBody } from '../../uploads/append-body.js'
import { checksumOption } from '../../uploads/checksum-option.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { createUpload } from '../../uploads/create-upload.js'
import { addExpires, afterWrite, finish } from '../../uploads/lifecycle.js'
import { concatenateNew, planConcat } from '../../uploads/concat.js'

/**
 * POST (creation): validates every header before anything is stored, creates the upload and,
 * when the body is `application/offset+octet-stream`, stores it too (creation-with-upload).
 */
export async function handlePost(ctx: MethodContext): Promise<TusResponse> {
  const { headers } = ctx.req
  const plan = await planConcat(ctx) // Upload-Concat; a final's parts are checked here
  const final = plan?.concat.kind === 'final'
  const deferred = parseDeferLength(headers['upload-defer-length'])
  const size = final ? plan.size : optionalInt(headers['upload-length'], UPLOAD_LENGTH)
  if (deferred && size !== undefined) throw tusError('ERR_AMBIGUOUS_LENGTH')
  if (!deferred && size === undefined && !final) throw tusError('ERR_MISSING_LENGTH')
  if (deferred && !ctx.store.capabilities.has('creation-defer-length')) {
    throw tusError('ERR_DEFER_NOT_SUPPORTED')
  }
  const { maxSize } = ctx
  if (maxSize !== undefined && size !== undefined && size > maxSize) {
    throw tusError('ERR_MAX_SIZE_EXCEEDED')
  }
  const rawMetadata = single(headers['upload-metadata'])
  const metadata =
    rawMetadata === undefined ? {} : parseMetadata(rawMetadata, ctx.options.maxMetadataSize)
  const withBody = isOffsetOctetStream(headers['content-type'])
  // Read again by appendBody; checked here so that a bad one leaves no upload behind.
  if (withBody) optionalInt(headers['content-length'], CONTENT_LENGTH)
  const checksum = withBody ? checksumOption(ctx) : undefined

  const created = await concatenateNew(
    ctx,
    await createUpload(ctx, { size, metadata, ...(plan && { concat: plan.concat }) }),
  )
  const { id } = created
  let upload = created
  ctx.events.emit('created', created)
  const response: TusResponse = {
    status: 201,
    headers: { Location: uploadUrl(ctx, id) },
  }
  if (isComplete(created)) await finish(ctx, created, response.headers)
  if (withBody) {
    const uctx: UploadContext = { ...ctx, id }
    try {
      upload = await withUploadLock(uctx, (interrupt) =>
        appendBody(uctx, created, interrupt, checksum),
      )
      await afterWrite(ctx, created, upload, response.headers)
    } catch (err) {
      // The upload exists either way: tell the client where, so it can resume.
      if (!isTusError(err)) throw err
      throw new TusError(err.code, err.status, err.message, { ...err.headers, ...response.headers })
    }
    response.headers['Upload-Offset'] = String(upload.offset)
  }
  addExpires(ctx, upload, response.headers)
  return response
}
