import { tusError } from '../../model/errors.js'
import {
  CONTENT_LENGTH,
  isOffsetOctetStream,
  optionalInt,
  parseNonNegativeInt,
  single,
  UPLOAD_LENGTH,
  UPLOAD_OFFSET,
} from '../../protocol/headers.js'
import type { TusResponse, UploadContext } from '../../context/request.js'
import { checksumOption } from '../../uploads/checksum-option.js'
import { addExpires } from '../../uploads/lifecycle.js'
import { writeChunk } from '../../uploads/write-chunk.js'
import { TUS_WRITES } from './write-rules.js'

/** PATCH: appends the body at `Upload-Offset`, which must equal the stored offset. */
export async function handlePatch(ctx: UploadContext): Promise<TusResponse> {
  const { headers } = ctx.req
  if (!isOffsetOctetStream(headers['content-type'])) throw tusError('ERR_INVALID_CONTENT_TYPE')
  const rawOffset = single(headers['upload-offset'])
  if (rawOffset === undefined) throw tusError('ERR_INVALID_OFFSET', 'Upload-Offset is required')
  const chunk = {
    offset: parseNonNegativeInt(rawOffset, UPLOAD_OFFSET),
    length: optionalInt(headers['upload-length'], UPLOAD_LENGTH),
    bodyLength: optionalInt(headers['content-length'], CONTENT_LENGTH),
    complete: false,
    checksum: checksumOption(ctx),
  }
  const response: TusResponse = { status: 204, headers: {} }
  const after = await writeChunk(ctx, TUS_WRITES, chunk, response.headers)
  response.headers['Upload-Offset'] = String(after.offset)
  addExpires(ctx, after, response.headers)
  return response
}
