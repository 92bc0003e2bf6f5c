import { tusError, isTusError } from '../model/errors.js'
import type { ChecksumSpec, Upload } from '../model/upload.js'
import type { UploadContext } from '../context/request.js'
import { watchIdle } from '../streams/idle-timeout.js'

/**
 * Streams the request body into an upload at its current offset; see write-chunk.ts, its one
 * caller, which holds the upload's lock (`interrupt` is that lock's contention signal).
 * `contentLength` is the body's declared length, when known. Bytes are capped at the
 * remaining length (or the max size while the length is deferred). With a `checksum` (see
 * checksum-option.ts) the append is all or nothing.
 */
export async function appendBody(
  ctx: UploadContext,
  upload: Upload,
  interrupt: AbortSignal,
  contentLength: number | undefined,
  checksum: ChecksumSpec | undefined,
): Promise<Upload> {
  const { maxSize } = ctx
  const limit =
    upload.size !== undefined
      ? upload.size - upload.offset
      : (maxSize ?? Number.MAX_SAFE_INTEGER) - upload.offset
  if (contentLength !== undefined && contentLength > limit) {
    throw tusError(upload.size !== undefined ? 'ERR_BODY_TOO_LARGE' : 'ERR_MAX_SIZE_EXCEEDED')
  }
  if (contentLength === 0 && checksum === undefined) return upload
  // A client that stops sending is cut off after `bodyIdleTimeout`; its bytes are kept (or,
  // with a checksum, none are), and `Connection: close` frees the socket after the 408.
  const idle = watchIdle(ctx.req.body, ctx.options.bodyIdleTimeout, interrupt, () =>
    tusError(
      'ERR_BODY_TIMEOUT',
      checksum === undefined ? undefined : 'request body stalled for too long; nothing was stored',
      { Connection: 'close' },
    ),
  )
  try {
    return await ctx.store.append(ctx.id, upload.offset, ctx.req.body, {
      maxBytes: limit,
      signal: idle.signal,
      ...(contentLength !== undefined ? { expectedBytes: contentLength } : {}),
      ...(checksum !== undefined ? { checksum } : {}),
    })
  } catch (err) {
    if (idle.timedOut) throw idle.signal.reason
    if (isTusError(err)) throw err
    if (interrupt.aborted) {
      // A newer request took over; this connection is most likely dead, so free it now.
      ctx.req.body.destroy()
      throw tusError('ERR_UPLOAD_INTERRUPTED')
    }
    if (ctx.req.signal.aborted || isDisconnect(err)) {
      throw checksum === undefined
        ? tusError('ERR_BODY_INCOMPLETE')
        : tusError(
            'ERR_BODY_INCOMPLETE',
            'request body ended before it was complete; nothing was stored',
          )
    }
    throw err
  } finally {
    idle.stop()
  }
}

function isDisconnect(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE'
}
