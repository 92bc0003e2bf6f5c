import type { UploadContext } from '../context/request.js'
import { NEVER_ABORTS } from '../streams/never-aborts.js'

/**
 * Runs `fn` holding the upload's lock. `interrupt` aborts when another request for the same
 * upload is waiting, so long-running work (a PATCH body) can stop and let go. A `fn` that
 * declares no parameter never looks at it, so no AbortController is made for it.
 */
export async function withUploadLock<T>(
  ctx: UploadContext,
  fn: (interrupt: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = fn.length > 0 ? new AbortController() : undefined
  const { locker } = ctx.options
  const onContention = (): void => interrupt?.abort()
  const release =
    locker.tryLock?.(ctx.id, onContention) ??
    (await locker.lock(ctx.id, onContention, ctx.req.signal))
  try {
    return await fn(interrupt?.signal ?? NEVER_ABORTS)
  } finally {
    await release()
  }
}
