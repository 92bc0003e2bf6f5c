/**
 * tuskit for Koa: a middleware answering the tus endpoint and passing every other request on.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import mount from 'koa-mount'
 * import { FileStore } from 'tuskit'
 * import { createTusMiddleware } from 'tuskit/koa'
 *
 * const app = new Koa()
 * const tus = createTusMiddleware(new FileStore({ directory: './uploads' }))
 * app.use(mount('/files', tus)) // or app.use(tus) with { path: '/files' }
 * app.listen(1080)
 * ```
 *
 * Put no body parser in front of it: tuskit streams the request body itself.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TusHandlerOptions } from '../context/options.js'
import type { UploadStore } from '../stores/upload-store.js'
import { nodeCoreRequest } from './node/request.js'
import { writeNodeResponse } from './node/response.js'
import { createTusCore, endpointControls, type EndpointControls } from '../endpoint/core.js'

/** The part of a Koa context the middleware uses (structural, so Koa stays optional). */
export interface KoaContextLike {
  req: IncomingMessage
  res: ServerResponse
  /** The URL before `koa-mount` stripped its prefix. */
  originalUrl: string
  respond?: boolean
}

/** A Koa middleware that also carries the endpoint's `events`, `deleteExpired()`, `close()`. */
export type TusKoaMiddleware = ((
  ctx: KoaContextLike,
  next: () => Promise<unknown>,
) => Promise<void>) &
  EndpointControls

/**
 * Creates the tus endpoint as a Koa middleware. Requests it answers are written straight to
 * `ctx.res` with `ctx.respond = false`; requests outside `path` go to `next()`; storage
 * failures are thrown to Koa's error handling. Under `koa-mount` the mount point is the
 * endpoint's path (the URL before the mount is `ctx.originalUrl`); with `@koa/router`, which
 * does not strip its prefix, give the full public `path`.
 */
export function createTusMiddleware(
  store: UploadStore,
  options: TusHandlerOptions = {},
): TusKoaMiddleware {
  const core = createTusCore(store, options)

  async function tusKoaMiddleware(
    ctx: KoaContextLike,
    next: () => Promise<unknown>,
  ): Promise<void> {
    const originalUrl = (ctx.req as IncomingMessage & { originalUrl?: string }).originalUrl
    const response = await core.handle(
      nodeCoreRequest(ctx.req, ctx.res, originalUrl ?? ctx.originalUrl),
    )
    if (response === undefined) {
      await next()
      return
    }
    ctx.respond = false
    writeNodeResponse(ctx.req, ctx.res, response)
  }
  return Object.assign(tusKoaMiddleware, endpointControls(core))
}
