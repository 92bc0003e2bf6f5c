import { isTusError, type TusError } from '../model/errors.js'
import type { Upload } from '../model/upload.js'
import type { MethodContext, UploadContext } from '../context/request.js'
import { createUpload, type UploadInit } from './create-upload.js'
import { concatenateNew } from './concat.js'
import { finishUploadIfComplete } from './lifecycle.js'
import { uploadUrl } from './location.js'
import { writeChunk, type Chunk, type WriteRules } from './write-chunk.js'

/** What a dialect decides in the shared creation path, beside the rules of its writes. */
export interface CreationRules extends WriteRules {
  /** Right after the upload exists, before its body is read (the draft's 104 interim). */
  created?(ctx: MethodContext, upload: Upload, location: string): void
  /** `err` with more response headers, in the dialect's shape (a draft problem stays one). */
  withHeaders(err: TusError, headers: Readonly<Record<string, string>>): TusError
}

/**
 * The one creation path of both dialects (tus `POST`, the draft's creation), once the dialect
 * has validated every header: creates the upload (a tus final is concatenated here when its
 * parts are complete), emits `created`, sets `Location` in `headers`, finishes an upload
 * complete at creation (0 bytes, or a final), and stores the request's body, if it has one,
 * through {@link writeChunk}. Errors from then on carry the response's headers, `Location`
 * first among them: the upload exists, and the client resumes it there.
 *
 * Resolves with the upload after its body; the finish hook's headers join `headers`.
 */
export async function createAndWrite(
  ctx: MethodContext,
  rules: CreationRules,
  init: UploadInit,
  chunk: Chunk | undefined,
  headers: Record<string, string>,
): Promise<Upload> {
  const created = await concatenateNew(ctx, await createUpload(ctx, init))
  ctx.events.emit('created', created)
  const location = uploadUrl(ctx, created.id)
  headers['Location'] = location
  rules.created?.(ctx, created, location)
  try {
    await finishUploadIfComplete(ctx, undefined, created, headers)
    if (chunk === undefined) return created
    const uctx: UploadContext = { ...ctx, id: created.id }
    return await writeChunk(uctx, rules, chunk, headers, created)
  } catch (err) {
    if (!isTusError(err)) throw err
    throw rules.withHeaders(err, headers)
  }
}
