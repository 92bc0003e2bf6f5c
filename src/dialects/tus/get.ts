import { tusError } from '../../model/errors.js'
import { single } from '../../protocol/headers.js'
import { downloadHeaders } from '../../protocol/download-headers.js'
import { parseRange } from '../../protocol/range.js'
import { isComplete } from '../../model/upload.js'
import type { TusResponse, UploadContext } from '../../context/request.js'

/** Download responses are never a page that can run anything, whatever their type. */
const DOWNLOAD_CSP = "default-src 'none'; sandbox"

/**
 * GET (not part of tus 1.0): the bytes stored so far, up to the current offset, so an
 * unfinished upload returns what has arrived. One byte range (`Range: bytes=…`) gives a 206;
 * a range past the end a 416; several ranges, or any `If-Range` (no validators are sent),
 * the whole content. `Content-Type` and `Content-Disposition` follow the XSS-safe policy of
 * `downloadHeaders`. No lock is taken: a download never interrupts a running PATCH, and the
 * bytes below the offset never change.
 */
export async function handleGet(ctx: UploadContext): Promise<TusResponse> {
  const { store, id } = ctx
  if (!store.read) throw tusError('ERR_METHOD_NOT_ALLOWED')
  const upload = await store.get(id)
  const length = upload.offset
  const headers: Record<string, string> = {
    ...downloadHeaders(upload.metadata),
    'Accept-Ranges': 'bytes',
    'Content-Security-Policy': DOWNLOAD_CSP,
  }
  if (!isComplete(upload)) headers['Cache-Control'] = 'no-store'

  const ifRange = single(ctx.req.headers['if-range'])
  const range = parseRange(
    ifRange === undefined ? single(ctx.req.headers['range']) : undefined,
    length,
  )
  if (range.kind === 'unsatisfiable') {
    throw tusError('ERR_RANGE_NOT_SATISFIABLE', undefined, { 'Content-Range': `bytes */${length}` })
  }
  if (range.kind === 'partial') {
    const { start, end } = range
    headers['Content-Range'] = `bytes ${start}-${end}/${length}`
    headers['Content-Length'] = String(end - start + 1)
    return { status: 206, headers, body: await store.read(id, { start, end }) }
  }
  headers['Content-Length'] = String(length)
  if (length === 0) return { status: 200, headers }
  return { status: 200, headers, body: await store.read(id, { start: 0, end: length - 1 }) }
}
