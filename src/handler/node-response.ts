import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { COMMON_HEADERS } from './dispatch.js'
import type { TusResponse } from './types.js'

// Bodies this small are drained so the connection stays reusable; larger unread bodies
// close the connection instead of reading gigabytes only to throw them away.
const DRAIN_LIMIT = 64 * 1024

// Reason phrases Node does not know.
const STATUS_TEXT: Readonly<Record<number, string>> = { 460: 'Checksum Mismatch' }

/** Writes a core response to a Node response; a text body is one line. */
export function writeNodeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: TusResponse,
): void {
  if (res.headersSent || res.destroyed) return
  const headers: Record<string, string> = { ...COMMON_HEADERS, ...response.headers }
  const { body } = response
  if (typeof body === 'string') {
    headers['Content-Type'] = 'text/plain; charset=utf-8'
    headers['Content-Length'] = String(Buffer.byteLength(body) + 1)
  }
  if (!req.complete && !bodyIsSmall(req)) headers['Connection'] = 'close'
  res.writeHead(response.status, STATUS_TEXT[response.status], headers)
  if (body === undefined) res.end()
  else if (typeof body === 'string') res.end(req.method === 'HEAD' ? undefined : `${body}\n`)
  else if (req.method === 'HEAD') {
    body.destroy()
    res.end()
  } else pipeline(body, res).catch(() => undefined)
}

function bodyIsSmall(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return length !== undefined && Number(length) <= DRAIN_LIMIT
}
