import { createLog } from '../util/log.js'
import { isTusError, tusError } from '../model/errors.js'
import { isOffsetOctetStream } from '../protocol/headers.js'
import { formatConcat, parseConcat } from '../protocol/concat.js'
import { type UploadStore } from '../stores/upload-store.js'
import { isComplete, type ConcatInfo, type Upload } from '../model/upload.js'
import type { MethodContext, UploadContext } from '../context/request.js'
import { uploadUrl } from './location.js'
import { withUploadLock } from './with-lock.js'
import { finishUploadIfComplete } from './lifecycle.js'
import { NEVER_ABORTS } from '../streams/never-aborts.js'

/**
 * tus `concatenation` and `concatenation-unfinished`. A POST with `Upload-Concat: partial`
 * creates a part like any upload. A POST with `Upload-Concat: final;<urls>` creates a final
 * upload from existing partial uploads: its length is the sum of theirs, it takes no bytes of
 * its own, and the store fills it (`concatenate`) once every part is complete:
 *
 * - at once, when the parts are complete on creation;
 * - otherwise lazily, on the next HEAD of the final, under the final's lock; and, as soon as
 *   possible, in the background when a PATCH in this process completes one of its parts
 *   (an in-memory index of pending finals; the HEAD path alone is enough for correctness,
 *   after a restart or across processes).
 */

const log = createLog('concat')

/** What a POST's `Upload-Concat` asks for, checked against the store. */
export interface ConcatPlan {
  readonly concat: ConcatInfo
  /** A final's length: the sum of its parts' lengths, when all are known. */
  readonly size: number | undefined
}

/**
 * The endpoint's path as clients see it: as in the `Location` of new uploads, which differs
 * from `ctx.base` behind a proxy that adds a prefix (`respectForwardedHeaders`).
 */
function publicBase(ctx: MethodContext): string {
  const path = new URL(uploadUrl(ctx, 'x'), 'http://localhost').pathname
  return path.slice(0, -'/x'.length)
}

function canConcatenate(store: UploadStore): boolean {
  return store.capabilities.has('concatenation') && typeof store.concatenate === 'function'
}

/**
 * Reads `Upload-Concat` on POST; `undefined` when absent. For a final it checks everything
 * before anything is stored: no `Upload-Length` or `Upload-Defer-Length` (400), no body
 * (creation-with-upload, 403), and every listed upload exists (400) and is a partial (400).
 * 501 when the store cannot concatenate.
 */
export async function planConcat(ctx: MethodContext): Promise<ConcatPlan | undefined> {
  const { headers } = ctx.req
  if (headers['upload-concat'] === undefined) return undefined
  if (!canConcatenate(ctx.store)) throw tusError('ERR_CONCAT_NOT_SUPPORTED')
  const concat = parseConcat(headers['upload-concat'], [ctx.base, publicBase(ctx)])
  if (concat === undefined || concat.kind === 'partial')
    return { concat: { kind: 'partial' }, size: undefined }
  if (headers['upload-length'] !== undefined || headers['upload-defer-length'] !== undefined) {
    throw tusError('ERR_FINAL_LENGTH')
  }
  if (isOffsetOctetStream(headers['content-type'])) throw tusError('ERR_MODIFY_FINAL')
  const parts = await readParts(ctx, concat.parts)
  if (parts === undefined) throw tusError('ERR_PART_NOT_FOUND')
  for (const part of new Set(parts)) {
    if (part.concat?.kind !== 'partial') {
      throw tusError('ERR_NOT_PARTIAL', `not a partial upload: ${publicBase(ctx)}/${part.id}`)
    }
  }
  return { concat, size: totalSize(parts) }
}

/** The parts in order (repeats share one read), or `undefined` if one does not exist. */
async function readParts(
  ctx: MethodContext,
  ids: readonly string[],
): Promise<Upload[] | undefined> {
  const unique = [...new Set(ids)]
  const found = await Promise.all(
    unique.map((id) =>
      ctx.store.get(id).catch((err: unknown) => {
        if (isTusError(err) && err.status === 404) return undefined
        throw err
      }),
    ),
  )
  const byId = new Map<string, Upload>()
  for (const upload of found) {
    if (upload === undefined) return undefined
    byId.set(upload.id, upload)
  }
  return ids.map((id) => byId.get(id)!)
}

function totalSize(parts: readonly Upload[]): number | undefined {
  let size = 0
  for (const part of parts) {
    if (part.size === undefined) return undefined
    size += part.size
  }
  return size
}

/** PATCH never writes to a final upload (403); its bytes come from its parts. */
export function refuseFinal(upload: Upload): void {
  if (upload.concat?.kind === 'final') throw tusError('ERR_MODIFY_FINAL')
}

/**
 * Concatenates a pending final when all its parts are complete; the caller holds the final's
 * lock. Resolves with the final: complete, or still pending, its `size` then filled in when
 * the parts' lengths are all known (a view for HEAD; nothing is stored). A final whose part
 * was deleted stays pending. Does not run the finish hook.
 */
async function concatenateIfReady(ctx: UploadContext, upload: Upload): Promise<Upload> {
  const { concat } = upload
  if (concat?.kind !== 'final' || isComplete(upload)) return upload
  const parts = await readParts(ctx, concat.parts)
  if (parts === undefined) return upload
  const size = totalSize(parts)
  if (size === undefined) return upload
  if (!parts.every(isComplete)) return { ...upload, size }
  // Checked at creation when the length was known then; a length learnt later is checked now.
  if (ctx.maxSize !== undefined && size > ctx.maxSize) throw tusError('ERR_MAX_SIZE_EXCEEDED')
  if (!canConcatenate(ctx.store)) return { ...upload, size }
  try {
    const done = await ctx.store.concatenate!(upload.id, parts)
    log('concatenated %s from %d parts', upload.id, parts.length)
    unwatch(ctx, upload.id, concat.parts)
    return done
  } catch (err) {
    // A part vanished meanwhile (deleted): the final stays pending.
    if (isTusError(err) && err.code === 'ERR_PART_NOT_FOUND') return { ...upload, size }
    throw err
  }
}

/**
 * For a final just created: concatenates it at once if its parts are complete, else records
 * it as waiting for them. Other uploads pass through. The finish hook is the caller's.
 */
export async function concatenateNew(ctx: MethodContext, created: Upload): Promise<Upload> {
  const { concat } = created
  if (concat?.kind !== 'final') return created
  const uctx: UploadContext = { ...ctx, id: created.id }
  return withUploadLock(uctx, async () => {
    // Watch first: a part completing from now on wakes this final up.
    watch(ctx, created.id, concat.parts)
    const settled = await concatenateIfReady(uctx, created)
    return isComplete(settled) ? settled : created
  })
}

/**
 * The lazy trigger, for requests that read a final (HEAD) and hold its lock: concatenates it
 * if its parts are now complete and then runs the finish hook, once. Other uploads pass
 * through.
 */
export async function settleFinal(ctx: UploadContext, upload: Upload): Promise<Upload> {
  if (upload.concat?.kind !== 'final' || isComplete(upload)) return upload
  const settled = await concatenateIfReady(ctx, upload)
  await finishUploadIfComplete(ctx, upload, settled, {})
  return settled
}

/**
 * HEAD headers of a part or a final: `Upload-Concat` (a final's parts as the endpoint's
 * paths). A final never shows `Upload-Defer-Length`, and shows `Upload-Offset` only once it
 * is complete (concatenation-unfinished).
 */
export function addConcatHeaders(
  ctx: MethodContext,
  upload: Upload,
  headers: Record<string, string>,
): void {
  if (upload.concat === undefined) return
  headers['Upload-Concat'] = formatConcat(upload.concat, publicBase(ctx))
  if (upload.concat.kind !== 'final') return
  delete headers['Upload-Defer-Length']
  if (!isComplete(upload)) delete headers['Upload-Offset']
}

// The eager trigger: per handler (its resolved options), part id -> finals waiting for it.
const waiting = new WeakMap<object, Map<string, Set<string>>>()

function watch(ctx: MethodContext, finalId: string, parts: readonly string[]): void {
  let index = waiting.get(ctx.options)
  if (index === undefined) waiting.set(ctx.options, (index = new Map()))
  for (const part of parts) {
    let finals = index.get(part)
    if (finals === undefined) index.set(part, (finals = new Set()))
    finals.add(finalId)
  }
}

function unwatch(ctx: MethodContext, finalId: string, parts: readonly string[]): void {
  const index = waiting.get(ctx.options)
  if (index === undefined) return
  for (const part of parts) {
    const finals = index.get(part)
    finals?.delete(finalId)
    if (finals?.size === 0) index.delete(part)
  }
}

/**
 * Called by PATCH after a write: when it completed a partial upload that pending finals of
 * this handler wait for, tries to complete them in the background (each under its own lock;
 * the PATCH is not held up). Failures are logged: the lazy HEAD path completes them later.
 */
export function partWritten(ctx: UploadContext, before: Upload, after: Upload): void {
  if (after.concat?.kind !== 'partial' || isComplete(before) || !isComplete(after)) return
  const finals = waiting.get(ctx.options)?.get(after.id)
  if (finals === undefined) return
  for (const finalId of [...finals]) {
    completeInBackground(ctx, finalId).catch((err: unknown) => {
      log('completing final %s after part %s failed: %O', finalId, after.id, err)
    })
  }
}

async function completeInBackground(ctx: UploadContext, finalId: string): Promise<void> {
  // The triggering request may be gone by now: the lock wait must not follow its signal.
  const req = { ...ctx.req, signal: NEVER_ABORTS }
  const fctx: UploadContext = { ...ctx, req, id: finalId }
  await withUploadLock(fctx, async () => {
    const final = await ctx.store.get(finalId).catch((err: unknown) => {
      if (isTusError(err) && err.status === 404) return undefined
      throw err
    })
    if (final === undefined) {
      unwatch(ctx, finalId, [ctx.id])
      return
    }
    await settleFinal(fctx, final)
  })
}
