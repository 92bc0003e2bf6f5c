import { tusError } from '../../model/errors.js'
import {
  CONTENT_LENGTH,
  isOffsetOctetStream,
  optionalInt,
  parseDeferLength,
  single,
  UPLOAD_LENGTH,
} from '../../protocol/headers.js'
import { parseMetadata } from '../../protocol/metadata.js'
import type { MethodContext, TusResponse } from '../../context/request.js'
import { checksumOption } from '../../uploads/checksum-option.js'
import { addExpires } from '../../uploads/lifecycle.js'
import { planConcat } from '../../uploads/concat.js'
import { createAndWrite } from '../../uploads/create-and-write.js'
import { TUS_WRITES } from './write-rules.js'

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
  const chunk = isOffsetOctetStream(headers['content-type'])
    ? {
        offset: 0,
        length: undefined,
        bodyLength: optionalInt(headers['content-length'], CONTENT_LENGTH),
        complete: false,
        checksum: checksumOption(ctx),
      }
    : undefined

  const response: TusResponse = { status: 201, headers: {} }
  const init = { size, metadata, ...(plan && { concat: plan.concat }) }
  const upload = await createAndWrite(ctx, TUS_WRITES, init, chunk, response.headers)
  if (chunk !== undefined) response.headers['Upload-Offset'] = String(upload.offset)
  addExpires(ctx, upload, response.headers)
  return response
}
