import { isValidUploadId, newUploadId } from '../protocol/upload-id.js'
import type { Metadata } from '../model/upload.js'
import type { ConcatInfo, Upload } from '../model/upload.js'
import type { MethodContext } from '../context/request.js'

/**
 * Creates an empty upload, for both dialects (tus `POST`, IETF draft creation): runs
 * `onUploadCreate` (which may replace the metadata or choose the id), else `namingFunction`
 * or a random id, checks the id is URL-safe and has the store create it. Every header has
 * been validated by then. Emitting `created` is the caller's (after a final concatenation).
 */
export async function createUpload(
  ctx: MethodContext,
  init: { size: number | undefined; metadata: Metadata; concat?: ConcatInfo },
): Promise<Upload> {
  const { size } = init
  let { metadata } = init
  const { namingFunction, hooks } = ctx.options
  const changes = await hooks.onUploadCreate?.(ctx.hookRequest, { size, metadata })
  if (changes?.metadata) metadata = changes.metadata
  const id =
    changes?.id ??
    (namingFunction ? await namingFunction(ctx.hookRequest, metadata) : newUploadId())
  if (typeof id !== 'string' || !isValidUploadId(id)) {
    throw new TypeError(`tuskit: upload id ${JSON.stringify(id)} is not [A-Za-z0-9_-]{1,128}`)
  }
  return ctx.store.create({ id, size, metadata, ...(init.concat && { concat: init.concat }) })
}
