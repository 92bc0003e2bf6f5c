import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { CoreRequest } from './types.js'
import { writeInterim } from './node-interim.js'

/**
 * The core's view of a Node request: its `signal` aborts when the response closes before it
 * finished (the client went away). `originalUrl` is the URL before a framework stripped its
 * mount prefix; by default Express and Connect's `req.originalUrl`.
 *
 * The signal is made on first use: most requests (a HEAD, an uncontended PATCH) never look at
 * it, and an AbortController with its `close` listener cost about 5 % of a HEAD.
 */
export function nodeCoreRequest(
  req: IncomingMessage,
  res: ServerResponse,
  originalUrl: string | undefined = (req as IncomingMessage & { originalUrl?: string }).originalUrl,
): CoreRequest {
  let abort: AbortController | undefined
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    originalUrl,
    headers: req.headers,
    body: req,
    get signal() {
      if (abort === undefined) {
        abort = new AbortController()
        const controller = abort
        if (res.closed) {
          if (!res.writableFinished) controller.abort()
        } else {
          res.once('close', () => {
            if (!res.writableFinished) controller.abort()
          })
        }
      }
      return abort.signal
    },
    protocol: (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http',
    raw: req,
    trailers: () => req.trailers,
    sendInterim: (status, headers) => writeInterim(req, res, status, headers),
  }
}
