import { tusError } from '../model/errors.js'
import type { Upload } from '../model/upload.js'
import type { UploadContext } from '../context/request.js'

/**
 * Applies an `Upload-Length` sent on PATCH. Repeating the known length is harmless (some
 * clients send it on every request); changing it is a 400.
 */
export async function declareLength(
  ctx: UploadContext,
  upload: Upload,
  length: number,
): Promise<Upload> {
  if (upload.size !== undefined) {
    if (upload.size === length) return upload
    throw tusError('ERR_LENGTH_ALREADY_SET')
  }
  const { maxSize } = ctx
  if (maxSize !== undefined && length > maxSize) throw tusError('ERR_MAX_SIZE_EXCEEDED')
  if (length < upload.offset) throw tusError('ERR_LENGTH_BELOW_OFFSET')
  if (ctx.store.declareLength === undefined) throw tusError('ERR_DEFER_NOT_SUPPORTED')
  return ctx.store.declareLength(ctx.id, length)
}
