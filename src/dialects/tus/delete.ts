import { tusError } from '../../model/errors.js'
import type { TusResponse, UploadContext } from '../../context/request.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { isComplete } from '../../model/upload.js'

/** DELETE (termination): a running PATCH is interrupted first, then the upload is removed. */
export async function handleDelete(ctx: UploadContext): Promise<TusResponse> {
  const remove = ctx.store.remove?.bind(ctx.store)
  if (remove === undefined || !ctx.store.capabilities.has('termination')) {
    throw tusError('ERR_METHOD_NOT_ALLOWED')
  }
  await withUploadLock(ctx, async () => {
    const upload = await ctx.store.get(ctx.id)
    if (!ctx.options.terminateFinished && isComplete(upload)) {
      throw tusError('ERR_TERMINATION_REFUSED')
    }
    await remove(ctx.id)
  })
  ctx.events.emit('terminated', ctx.id)
  return { status: 204, headers: {} }
}
