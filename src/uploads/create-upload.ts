import { isValidUploadId, newUploadId } from '../protocol/upload-id.js'
import type { ConcatInfo, Metadata, Upload } from '../model/upload.js'
import type { MethodContext } from '../context/request.js'

/** What a request asks an upload to be created with, once its headers are validated. */
export interface UploadInit {
  readonly size: number | undefined
  readonly metadata: Metadata
  readonly concat?: ConcatInfo
}

/**
 * Creates an empty upload, for both dialects (tus `POST`, IETF draft creation): runs
 * `onUploadCreate` (which may replace the metadata or choose the id), else `namingFunction`
 * or a random id, checks the id is URL-safe and has the store create it. Every header has
 * been validated by then. Emitting `created` is the caller's (see create-and-write.ts).
 */
export async function createUpload(
  ctx: MethodContext,
  init: UploadInit,
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
