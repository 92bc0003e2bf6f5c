import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import createDebug from 'debug'
import { SUPPORTED_VERSIONS } from '../protocol/constants.js'
import { isTusError, type TusError } from '../protocol/errors.js'
import { effectiveMethod } from '../protocol/headers.js'
import { advertisedExtensions } from '../protocol/extensions.js'
import { matchRoute } from '../protocol/route.js'
import { resolveOptions, type TusHandlerOptions } from '../options.js'
import type { UploadStore } from '../stores/upload-store.js'
import { COMMON_HEADERS, dispatch, type Allowed } from './dispatch.js'
import type { MethodContext, TusRequest, TusResponse } from './types.js'

const log = createDebug('tuskit:handler')

/** Called for requests outside the endpoint, or with an error the host app should see. */
export type NextFunction = (err?: unknown) => void

/** A Node request handler: mount it in Express or Connect, or call it from `node:http`. */
export type TusHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void

// Bodies this small are drained so the connection stays reusable; larger unread bodies
// close the connection instead of reading gigabytes only to throw them away.
const DRAIN_LIMIT = 64 * 1024

/**
 * Creates the tus endpoint.
 *
 * @example
 * ```ts
 * const tus = createTusHandler(new FileStore({ directory: './uploads' }), { path: '/files' })
 * app.use('/files', tus) // Express
 * http.createServer((req, res) => tus(req, res, () => { res.statusCode = 404; res.end() }))
 * ```
 *
 * Protocol errors are answered with their status and a one-line reason; `next(err)` is only
 * called for real failures (storage errors), and `next()` for requests outside `path`.
 */
export function createTusHandler(store: UploadStore, options: TusHandlerOptions = {}): TusHandler {
  const resolved = resolveOptions(options)
  const extensions = advertisedExtensions(store.capabilities)
  const uploadMethods = ['OPTIONS', 'HEAD', 'PATCH']
  if (extensions.includes('termination')) uploadMethods.push('DELETE')
  const allowed: Allowed = { collection: 'OPTIONS, POST', upload: uploadMethods.join(', ') }

  return function tusHandler(req, res, next) {
    const originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl
    const route = matchRoute(resolved.path, req.url ?? '/', originalUrl)
    if (route === undefined) {
      if (next) next()
      else respond(req, res, { status: 404, headers: {}, body: 'not found' })
      return
    }
    const started = Date.now()
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    let method: string
    try {
      method = effectiveMethod(req.method ?? 'GET', req.headers['x-http-method-override'])
    } catch (err) {
      respond(req, res, errorResponse(err as TusError))
      return
    }
    const tusReq: TusRequest = {
      method,
      headers: req.headers,
      body: req,
      signal: abort.signal,
      protocol: (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http',
    }
    const ctx: MethodContext = { req: tusReq, store, options: resolved, base: route.base }
    const id = route.kind === 'upload' ? route.id : '-'
    dispatch(ctx, route, extensions, allowed).then(
      (response) => {
        respond(req, res, response)
        log('%s %s %d %dms', method, id, response.status, Date.now() - started)
      },
      (err: unknown) => {
        if (isTusError(err)) {
          respond(req, res, errorResponse(err))
          log('%s %s %d %dms %s', method, id, err.status, Date.now() - started, err.code)
        } else if (abort.signal.aborted) {
          log('%s %s client gone: %s', method, id, (err as Error)?.message)
        } else {
          log('%s %s failed: %O', method, id, err)
          if (next) next(err)
          else respond(req, res, { status: 500, headers: {}, body: 'internal server error' })
        }
      },
    )
  }
}

function errorResponse(err: TusError): TusResponse {
  const headers: Record<string, string> = { ...err.headers }
  if (err.status === 412) headers['Tus-Version'] = SUPPORTED_VERSIONS.join(',')
  return { status: err.status, headers, body: err.message }
}

/** Writes a response; `body` is one line of text. */
function respond(req: IncomingMessage, res: ServerResponse, response: TusResponse): void {
  if (res.headersSent || res.destroyed) return
  const headers: Record<string, string> = { ...COMMON_HEADERS, ...response.headers }
  if (response.body !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8'
    headers['Content-Length'] = String(Buffer.byteLength(response.body) + 1)
  }
  if (!req.complete && !bodyIsSmall(req)) headers['Connection'] = 'close'
  res.writeHead(response.status, headers)
  if (response.body !== undefined && req.method !== 'HEAD') res.end(`${response.body}\n`)
  else res.end()
}

function bodyIsSmall(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return length !== undefined && Number(length) <= DRAIN_LIMIT
}
