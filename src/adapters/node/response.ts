import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { responseHeaders, statusText, textBody } from '../../endpoint/response-headers.js'
import type { TusResponse } from '../../context/request.js'

// Bodies this small are drained so the connection stays reusable; larger unread bodies
// close the connection instead of reading gigabytes only to throw them away.
const DRAIN_LIMIT = 64 * 1024

/** Writes a core response to a Node response; a text body is one line. */
export function writeNodeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: TusResponse,
): void {
  if (res.headersSent || res.destroyed) return
  const headers = responseHeaders(response)
  const { body } = response
  if (!req.complete && !bodyIsSmall(req)) headers['Connection'] = 'close'
  // Else Node frames an empty 201 (or 200) as chunked: a needless terminating chunk.
  if (body === undefined && mayHaveBody(req, response.status)) headers['Content-Length'] = '0'
  res.writeHead(response.status, statusText(response.status), headers)
  if (body === undefined) res.end()
  else if (typeof body === 'string') res.end(req.method === 'HEAD' ? undefined : textBody(body))
  else if (req.method === 'HEAD') {
    body.destroy()
    res.end()
  } else pipeline(body, res).catch(() => undefined)
}

/** Whether the answer has a body at all, so its length means something (RFC 9110 §6.4.1). */
function mayHaveBody(req: IncomingMessage, status: number): boolean {
  return req.method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304
}

function bodyIsSmall(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return length !== undefined && Number(length) <= DRAIN_LIMIT
}
