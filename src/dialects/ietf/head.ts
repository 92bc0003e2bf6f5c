import type { TusResponse, UploadContext } from '../../context/request.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { getLive } from '../../uploads/lifecycle.js'
import { settleFinal } from '../../uploads/concat.js'
import { stateHeaders } from './fields.js'
import { draftVersion } from './interop.js'

/**
 * Draft HEAD: `Upload-Offset`, `Upload-Complete`, `Upload-Length` when known, `Upload-Limit`
 * and `Cache-Control: no-store`, with 204. Like the tus HEAD it takes the lock (a PATCH still
 * hanging on a dead connection stores what it has and stops first) and completes a tus final
 * upload whose parts are complete, so either dialect can inspect any upload.
 */
export async function handleDraftHead(ctx: UploadContext): Promise<TusResponse> {
  const upload = await withUploadLock(ctx, async () => settleFinal(ctx, await getLive(ctx)))
  return {
    status: 204,
    headers: { ...stateHeaders(ctx, draftVersion(ctx), upload), 'Cache-Control': 'no-store' },
  }
}
