import type { TusResponse, UploadContext } from '../handler/types.js'
import { uploadStateHeaders } from './upload-headers.js'
import { withUploadLock } from './with-lock.js'

/**
 * HEAD: the upload's offset and length. It takes the lock so that a PATCH still hanging on a
 * dead connection stores what it has and stops first; the offset answered is then exact.
 */
export async function handleHead(ctx: UploadContext): Promise<TusResponse> {
  const upload = await withUploadLock(ctx, () => ctx.store.get(ctx.id))
  return { status: 200, headers: uploadStateHeaders(upload) }
}
