import { tusError } from '../model/errors.js'
import { isComplete, type Upload } from '../model/upload.js'
import type { MethodContext, UploadContext } from '../context/request.js'

/** When an unfinished upload expires, or `undefined` if it never does. */
export function expiresAt(ctx: MethodContext, upload: Upload): Date | undefined {
  const { expireAfter } = ctx.options
  if (expireAfter === undefined || isComplete(upload)) return undefined
  return new Date((upload.updatedAt ?? upload.createdAt).getTime() + expireAfter)
}

/** Adds `Upload-Expires` (an HTTP-date) for an unfinished upload that can expire. */
export function addExpires(ctx: MethodContext, upload: Upload, headers: Record<string, string>) {
  const at = expiresAt(ctx, upload)
  if (at !== undefined) headers['Upload-Expires'] = at.toUTCString()
}

/** Reads the upload a request is about; an expired one is gone (410) even before a sweep. */
export async function getLive(ctx: UploadContext): Promise<Upload> {
  const upload = await ctx.store.get(ctx.id)
  const at = expiresAt(ctx, upload)
  if (at !== undefined && at.getTime() <= Date.now()) throw tusError('ERR_UPLOAD_EXPIRED')
  return upload
}

/**
 * After a request stored bytes (or tried to): a `progress` event when the offset moved, and
 * the finish hook when this write completed the upload.
 */
export async function afterWrite(
  ctx: MethodContext,
  before: Upload,
  after: Upload,
  headers: Record<string, string>,
): Promise<void> {
  if (after.offset !== before.offset) ctx.events.emit('progress', after)
  await finishUploadIfComplete(ctx, before, after, headers)
}

/**
 * Runs `onUploadFinish` (whose headers join `headers`) and emits `finished` when `after` has
 * all its bytes and `before`, the upload as this request found it (none for a creation), did
 * not: once, by the request that completed it.
 */
export async function finishUploadIfComplete(
  ctx: MethodContext,
  before: Upload | undefined,
  after: Upload,
  headers: Record<string, string>,
): Promise<void> {
  if (!isComplete(after) || (before !== undefined && isComplete(before))) return
  const result = await ctx.options.hooks.onUploadFinish?.(ctx.hookRequest, after)
  if (result?.headers) Object.assign(headers, result.headers)
  ctx.events.emit('finished', after)
}
