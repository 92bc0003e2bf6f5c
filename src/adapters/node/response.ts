import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { createLog } from '../../util/log.js'
import {
  responseHeaders,
  statusText,
  tableErrorResponse,
  textBody,
} from '../../endpoint/response-headers.js'
import type { TusResponse } from '../../context/request.js'

const log = createLog('handler')

// Bodies this small are drained so the connection stays reusable; larger unread bodies
// close the connection instead of reading gigabytes only to throw them away.
const DRAIN_LIMIT = 64 * 1024

/**
 * Writes a core response to a Node response; a text body is one line. It never throws: it runs
 * in promise callbacks, where a throw is an unhandled rejection, which ends the process.
 */
export function writeNodeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: TusResponse,
): void {
  try {
    send(req, res, response)
  } catch (err) {
    if (typeof response.body === 'object') response.body.destroy()
    abandonResponse(req, res, err)
  }
}

/**
 * The end of a response whose writing failed: a 500 if nothing of it went out, else its
 * connection is closed, so the client is not left waiting. The core checks every response
 * before it is written (protocol/sendable.ts), so this is the last line, for what that cannot
 * foresee. Never throws.
 */
export function abandonResponse(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  log('%s %s: writing the response failed: %O', req.method, req.url, err)
  if (!res.headersSent && !res.destroyed) {
    try {
      // A refused header may leave the others of the failed response set: none is ours now.
      for (const name of res.getHeaderNames()) res.removeHeader(name)
      send(req, res, tableErrorResponse('ERR_INTERNAL_SERVER_ERROR'))
      return
    } catch (again) {
      log('%s %s: writing the 500 failed too: %O', req.method, req.url, again)
    }
  }
  res.destroy()
}

function send(req: IncomingMessage, res: ServerResponse, response: TusResponse): void {
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
