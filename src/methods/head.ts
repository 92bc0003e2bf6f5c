import type { TusResponse, UploadContext } from '../handler/types.js'
import { uploadStateHeaders } from './upload-headers.js'
import { withUploadLock } from './with-lock.js'
import { addExpires, getLive } from './lifecycle.js'

/**
 * HEAD: the upload's offset and length. It takes the lock so that a PATCH still hanging on a
 * dead connection stores what it has and stops first; the offset answered is then exact.
 */
export async function handleHead(ctx: UploadContext): Promise<TusResponse> {
  const upload = await withUploadLock(ctx, () => getLive(ctx))
  const headers = uploadStateHeaders(upload)
  addExpires(ctx, upload, headers)
  return { status: 200, headers }
}
