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
 * After bytes were stored: a `progress` event and, when this write completed the upload,
 * `onUploadFinish` (whose headers join the response) and the `finished` event.
 */
export async function afterWrite(
  ctx: MethodContext,
  before: Upload,
  after: Upload,
  headers: Record<string, string>,
): Promise<void> {
  if (after.offset !== before.offset) ctx.events.emit('progress', after)
  if (!isComplete(before) && isComplete(after)) await finish(ctx, after, headers)
}

/** Runs the finish hook and emits `finished` for an upload that has all its bytes. */
export async function finish(
  ctx: MethodContext,
  upload: Upload,
  headers: Record<string, string>,
): Promise<void> {
  const result = await ctx.options.hooks.onUploadFinish?.(ctx.hookRequest, upload)
  if (result?.headers) Object.assign(headers, result.headers)
  ctx.events.emit('finished', upload)
}
