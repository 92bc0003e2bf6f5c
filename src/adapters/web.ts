/**
 * tuskit for web `Request`/`Response` runtimes and frameworks: Hono (on `@hono/node-server`),
 * or any server that hands you a `Request` and wants a `Response`. Request and response bodies
 * are web streams; the request's `signal` aborts an upload when the client goes away.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { serve } from '@hono/node-server'
 * import { FileStore } from 'tuskit'
 * import { createWebHandler } from 'tuskit/web'
 *
 * const tus = createWebHandler(new FileStore({ directory: './uploads' }), { path: '/files' })
 * const app = new Hono()
 * app.all('/files/*', (c) => tus.handleRequest(c.req.raw))
 * serve({ fetch: app.fetch, port: 1080 })
 * ```
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeWebStream } from 'node:stream/web'
import type { TusHandlerOptions } from '../context/options.js'
import type { UploadStore } from '../stores/upload-store.js'
import {
  responseHeaders,
  statusText,
  tableErrorResponse,
  textBody,
} from '../endpoint/response-headers.js'
import { createTusCore, endpointControls, type EndpointControls } from '../endpoint/core.js'
import type { CoreRequest, TusResponse } from '../context/request.js'

/** The tus endpoint as a `Request -> Response` function, with the endpoint's controls. */
export interface WebHandler extends EndpointControls {
  /**
   * Answers one request. Requests outside `path` get `notFound()` if given (a framework's
   * fall-through, e.g. Hono's `next`), else a 404 `ERR_NOT_FOUND`. Rejects only on real
   * failures (a store throwing a plain error), for the host's error handling.
   */
  handleRequest(
    request: Request,
    notFound?: (request: Request) => Response | Promise<Response>,
  ): Promise<Response>
}

/**
 * Creates the tus endpoint for web `Request`s. The endpoint is at `options.path` (default
 * `/files`) of the request URL, which must be the full public URL (routers that strip a mount
 * prefix, such as Hono's `app.mount`, would make `Location` lose it: use `app.all` instead).
 * Checksum trailers are not readable through `Request`, so `checksum-trailer` uploads fail
 * their checksum.
 */
export function createWebHandler(store: UploadStore, options: TusHandlerOptions = {}): WebHandler {
  const core = createTusCore(store, options)

  async function handleRequest(
    request: Request,
    notFound?: (request: Request) => Response | Promise<Response>,
  ): Promise<Response> {
    const response = await core.handle(webCoreRequest(request))
    if (response !== undefined) return toWebResponse(request, response)
    if (notFound) return notFound(request)
    return toWebResponse(request, tableErrorResponse('ERR_NOT_FOUND'))
  }

  return { handleRequest, ...endpointControls(core) }
}

function webCoreRequest(request: Request): CoreRequest {
  const url = new URL(request.url)
  const headers: IncomingHttpHeaders = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  // A Request built by hand, or by a server that drops it, has no Host header: the URL's host
  // is the same thing and keeps the Location absolute.
  headers.host ??= url.host
  const body =
    request.body === null
      ? Readable.from([])
      : Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>)
  // An aborted Request does not always error its body stream; make sure reading it stops.
  const { signal } = request
  const stop = (): void => {
    body.destroy(signal.reason instanceof Error ? signal.reason : new Error('request aborted'))
  }
  if (signal.aborted) stop()
  else signal.addEventListener('abort', stop, { once: true })
  body.once('close', () => signal.removeEventListener('abort', stop))
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    headers,
    body,
    signal,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    raw: request,
  }
}

function toWebResponse(request: Request, response: TusResponse): Response {
  const { status, body } = response
  const text = statusText(status)
  const init: ResponseInit = {
    status,
    headers: responseHeaders(response),
    ...(text === undefined ? {} : { statusText: text }),
  }
  if (body === undefined || request.method === 'HEAD' || status === 204 || status === 304) {
    if (body instanceof Readable) body.destroy()
    return new Response(null, init)
  }
  if (typeof body === 'string') return new Response(textBody(body), init)
  return new Response(Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>, init)
}
