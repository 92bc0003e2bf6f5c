import type { TusResponse, UploadContext } from '../../context/request.js'
import { uploadStateHeaders } from './upload-headers.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { addExpires, getLive } from '../../uploads/lifecycle.js'
import { addConcatHeaders, settleFinal } from '../../uploads/concat.js'

/**
 * HEAD: the upload's offset and length. It takes the lock so that a PATCH still hanging on a
 * dead connection stores what it has and stops first; the offset answered is then exact.
 */
export async function handleHead(ctx: UploadContext): Promise<TusResponse> {
  // A final whose parts are now complete is concatenated here (concatenation-unfinished).
  const upload = await withUploadLock(ctx, async () => settleFinal(ctx, await getLive(ctx)))
  const headers = uploadStateHeaders(upload)
  addExpires(ctx, upload, headers)
  addConcatHeaders(ctx, upload, headers)
  return { status: 200, headers }
}
