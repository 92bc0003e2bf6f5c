import { tusError } from '../../model/errors.js'
import {
  isOffsetOctetStream,
  optionalInt,
  parseNonNegativeInt,
  single,
  UPLOAD_LENGTH,
  UPLOAD_OFFSET,
} from '../../protocol/headers.js'
import type { TusResponse, UploadContext } from '../../context/request.js'
import { appendBody } from '../../uploads/append-body.js'
import { checksumOption } from '../../uploads/checksum-option.js'
import { declareLength } from '../../uploads/declare-length.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { addExpires, afterWrite, getLive } from '../../uploads/lifecycle.js'
import { partWritten, refuseFinal } from '../../uploads/concat.js'

/** PATCH: appends the body at `Upload-Offset`, which must equal the stored offset. */
export async function handlePatch(ctx: UploadContext): Promise<TusResponse> {
  const { headers } = ctx.req
  if (!isOffsetOctetStream(headers['content-type'])) throw tusError('ERR_INVALID_CONTENT_TYPE')
  const rawOffset = single(headers['upload-offset'])
  if (rawOffset === undefined) throw tusError('ERR_INVALID_OFFSET', 'Upload-Offset is required')
  const offset = parseNonNegativeInt(rawOffset, UPLOAD_OFFSET)
  const length = optionalInt(headers['upload-length'], UPLOAD_LENGTH)
  const checksum = checksumOption(ctx)

  const response: TusResponse = { status: 204, headers: {} }
  await withUploadLock(ctx, async (interrupt) => {
    const before = await getLive(ctx)
    refuseFinal(before)
    let current = before
    // Offset first: a 409 must leave the upload unmodified, declared length included.
    if (current.offset !== offset) {
      throw tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(current.offset) })
    }
    if (length !== undefined) current = await declareLength(ctx, current, length)
    const after = await appendBody(ctx, current, interrupt, checksum).catch(async (err) => {
      // A failed PATCH may still have stored bytes (a cut connection), or even completed the
      // upload (a body longer than the upload is cut at its end): observers and the finish
      // hook must hear of that too, though the client is answered with the error.
      const stored = await ctx.store.get(ctx.id).catch(() => undefined)
      if (stored !== undefined) await afterWrite(ctx, before, stored, {}).catch(() => undefined)
      throw err
    })
    response.headers['Upload-Offset'] = String(after.offset)
    addExpires(ctx, after, response.headers)
    // Still under the lock: the finish hook runs once, before any other request sees the end.
    await afterWrite(ctx, before, after, response.headers)
    partWritten(ctx, before, after)
  })
  return response
}
