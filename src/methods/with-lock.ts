import type { UploadContext } from '../handler/types.js'

/**
 * Runs `fn` holding the upload's lock. `interrupt` aborts when another request for the same
 * upload is waiting, so long-running work (a PATCH body) can stop and let go.
 */
export async function withUploadLock<T>(
  ctx: UploadContext,
  fn: (interrupt: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController()
  const release = await ctx.options.locker.lock(ctx.id, () => interrupt.abort(), ctx.req.signal)
  try {
    return await fn(interrupt.signal)
  } finally {
    await release()
  }
}
