import { createLog } from '../util/log.js'
import type { TusError } from '../model/errors.js'
import type { ChecksumSpec, Upload } from '../model/upload.js'
import type { UploadContext } from '../context/request.js'
import { appendBody } from './append-body.js'
import { afterWrite, getLive } from './lifecycle.js'
import { partWritten, refuseFinal } from './concat.js'
import { withUploadLock } from './with-lock.js'

const log = createLog('write')

/** One write of upload bytes, as its dialect read it from the request's headers. */
export interface Chunk {
  /** Where the request says its bytes go (`Upload-Offset`; 0 for the body of a creation). */
  readonly offset: number
  /** The upload's length as the request declares it (`Upload-Length`, or a complete write's end). */
  readonly length: number | undefined
  /** Bytes in the body (`Content-Length`); `undefined` while unknown (a chunked body). */
  readonly bodyLength: number | undefined
  /** Whether the request says its body ends the upload (the draft's `Upload-Complete: ?1`). */
  readonly complete: boolean
  /** The checksum the bytes must match (tus `checksum`): the append is then all or nothing. */
  readonly checksum: ChecksumSpec | undefined
}

/**
 * What a dialect decides in the shared write path: the words of its refusals. Each dialect
 * has one, a module constant.
 */
export interface WriteRules {
  /** A write at another offset than the upload's (409); the upload is left as it was. */
  offsetMismatch(uctx: UploadContext, upload: Upload, provided: number): TusError
  /** Sets the length a request declares, with the dialect's refusals. */
  declareLength(uctx: UploadContext, upload: Upload, length: number): Promise<Upload>
  /**
   * Lengths that disagree: a body that `Content-Length` says goes past the upload's length
   * (refused before reading), or a write that says it ends the upload but stops short of it.
   */
  lengthConflict(detail: string): TusError
}

/**
 * Stores one chunk of an upload's bytes: the one way both dialects write (tus `PATCH` and
 * creation-with-upload, the draft's append and creation). Under the upload's lock (a newer
 * request for it interrupts this one):
 *
 * 1. reads the upload (`created`: it was just made by this request), refuses a final, and
 *    refuses a wrong offset before anything changes;
 * 2. declares the length the request gives, refuses a body known to be too long, streams the
 *    body in and, when the request says it ends the upload, holds it to that (a deferred
 *    length becomes the offset reached);
 * 3. tells observers and the finish hook what the request stored ({@link afterWrite}): on
 *    success, and also when it failed, since a failed write may still have stored bytes or
 *    even completed the upload (a chunked body longer than the upload is cut at its end, a
 *    body that delivered every byte and then lost its connection or went idle). Comparing
 *    with the upload as read under the same lock, the finish hook runs once, by the request
 *    whose bytes completed the upload, however that request ended.
 *
 * Resolves with the upload after the write; the finish hook's headers join `headers`.
 */
export function writeChunk(
  uctx: UploadContext,
  rules: WriteRules,
  chunk: Chunk,
  headers: Record<string, string>,
  created?: Upload,
): Promise<Upload> {
  return withUploadLock(uctx, async (interrupt) => {
    const before = created ?? (await getLive(uctx))
    refuseFinal(before)
    // Offset first: a 409 leaves the upload unmodified, its length included.
    if (before.offset !== chunk.offset) throw rules.offsetMismatch(uctx, before, chunk.offset)
    let after: Upload
    try {
      after = await store(uctx, rules, chunk, before, interrupt)
    } catch (err) {
      await afterFailedWrite(uctx, before)
      throw err
    }
    // Still under the lock: the finish hook runs once, before any other request sees the end.
    await afterWrite(uctx, before, after, headers)
    partWritten(uctx, before, after)
    return after
  })
}

async function store(
  uctx: UploadContext,
  rules: WriteRules,
  chunk: Chunk,
  before: Upload,
  interrupt: AbortSignal,
): Promise<Upload> {
  const { offset, length, bodyLength } = chunk
  const current = length === undefined ? before : await rules.declareLength(uctx, before, length)
  if (current.size !== undefined && bodyLength !== undefined && offset + bodyLength > current.size) {
    throw rules.lengthConflict(
      `the content (${bodyLength} bytes at offset ${offset}) goes past the length ${current.size}`,
    )
  }
  const after = await appendBody(uctx, current, interrupt, bodyLength, chunk.checksum)
  // An interrupted body threw above: it never completes the upload.
  if (!chunk.complete) return after
  if (after.size === undefined) return rules.declareLength(uctx, after, after.offset)
  if (after.offset !== after.size) {
    throw rules.lengthConflict(
      `the request completes the upload, but it has ${after.offset} of ${after.size} bytes`,
    )
  }
  return after
}

/**
 * Reads what a failed write left and runs {@link afterWrite} and the concatenation
 * bookkeeping for it. The client is answered with the write's error, so a failure here is
 * only logged.
 */
async function afterFailedWrite(uctx: UploadContext, before: Upload): Promise<void> {
  try {
    const stored = await uctx.store.get(uctx.id)
    await afterWrite(uctx, before, stored, {})
    partWritten(uctx, before, stored)
  } catch (err) {
    log('after a failed write to %s: %O', uctx.id, err)
  }
}
