import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { CoreRequest } from '../../context/request.js'
import { writeInterim } from './interim.js'

const kResponse = Symbol('tuskit.response')
const kAbort = Symbol('tuskit.abort')

interface LazySignalOwner {
  [kResponse]: ServerResponse
  [kAbort]: AbortController | undefined
}

/** The `signal` getter of every Node core request, made on first use (see below). */
function lazySignal(this: LazySignalOwner): AbortSignal {
  let abort = this[kAbort]
  if (abort === undefined) {
    const controller = (abort = this[kAbort] = new AbortController())
    const res = this[kResponse]
    const abortIfUnfinished = (): void => {
      if (!res.writableFinished) controller.abort()
    }
    // Made after the response closed (a request's error path): decide at once.
    if (res.closed) abortIfUnfinished()
    else res.once('close', abortIfUnfinished)
  }
  return abort.signal
}

/**
 * The core's view of a Node request: its `signal` aborts when the response closes before it
 * finished (the client went away). `originalUrl` is the URL before a framework stripped its
 * mount prefix; by default Express and Connect's `req.originalUrl`.
 *
 * The signal is made on first use: most requests (a HEAD, an uncontended PATCH) never look at
 * it, and an AbortController with its `close` listener cost about 5 % of a HEAD. The getter is
 * one shared function defined on each object: a getter written in the object literal would be
 * a new closure per request, which puts every request object in V8's slow dictionary mode (and
 * measured, made the server promote whole requests to the old generation).
 */
export function nodeCoreRequest(
  req: IncomingMessage,
  res: ServerResponse,
  originalUrl: string | undefined = (req as IncomingMessage & { originalUrl?: string }).originalUrl,
): CoreRequest {
  const request = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    originalUrl,
    headers: req.headers,
    body: req,
    protocol: (req.socket as Partial<TLSSocket>).encrypted ? ('https' as const) : ('http' as const),
    raw: req,
    trailers: () => req.trailers,
    sendInterim: (status: number, headers: Readonly<Record<string, string>>) =>
      writeInterim(req, res, status, headers),
    [kResponse]: res,
    [kAbort]: undefined as AbortController | undefined,
  }
  Object.defineProperty(request, 'signal', { get: lazySignal, enumerable: true })
  return request as typeof request & { readonly signal: AbortSignal }
}
