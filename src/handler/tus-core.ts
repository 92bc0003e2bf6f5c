import createDebug from 'debug'
import { SUPPORTED_VERSIONS } from '../protocol/constants.js'
import { isTusError, type TusError } from '../protocol/errors.js'
import { effectiveMethod } from '../protocol/headers.js'
import { advertisedExtensions } from '../protocol/extensions.js'
import { matchRoute } from '../protocol/route.js'
import { resolveOptions, type TusHandlerOptions } from '../options.js'
import type { UploadStore } from '../stores/upload-store.js'
import { dispatch, type Allowed } from './dispatch.js'
import type { CoreRequest, MethodContext, TusRequest, TusResponse } from './types.js'

const log = createDebug('tuskit:handler')

/**
 * The framework-free tus endpoint: a request shape in, a response shape out. Every adapter
 * (node:http, Express, Koa, web `Request`/`Response`) only translates to and from it.
 */
export interface TusCore {
  /**
   * Handles one request. Resolves `undefined` for requests outside the endpoint, and a
   * response for everything else, protocol errors included. Rejects only on real failures
   * (a store throwing a plain error), which the adapter hands to the host app.
   */
  handle(req: CoreRequest): Promise<TusResponse | undefined>
}

/** Builds the core; options are validated here, once. */
export function createTusCore(store: UploadStore, options: TusHandlerOptions = {}): TusCore {
  const resolved = resolveOptions(options)
  const extensions = advertisedExtensions(store.capabilities)
  const uploadMethods = ['OPTIONS', 'HEAD', 'PATCH']
  if (extensions.includes('termination')) uploadMethods.push('DELETE')
  const allowed: Allowed = { collection: 'OPTIONS, POST', upload: uploadMethods.join(', ') }

  async function handle(raw: CoreRequest): Promise<TusResponse | undefined> {
    const route = matchRoute(resolved.path, raw.url, raw.originalUrl)
    if (route === undefined) return undefined
    const started = Date.now()
    const id = route.kind === 'upload' ? route.id : '-'
    let method = raw.method
    try {
      method = effectiveMethod(raw.method, raw.headers['x-http-method-override'])
      const req: TusRequest = { ...raw, method }
      const ctx: MethodContext = { req, store, options: resolved, base: route.base }
      const response = await dispatch(ctx, route, extensions, allowed)
      log('%s %s %d %dms', method, id, response.status, Date.now() - started)
      return response
    } catch (err) {
      if (isTusError(err)) {
        log('%s %s %d %dms %s', method, id, err.status, Date.now() - started, err.code)
        return errorResponse(err)
      }
      if (raw.signal.aborted) {
        // The client is gone: nobody to answer, nothing for the host app to see.
        log('%s %s client gone: %s', method, id, (err as Error | undefined)?.message)
        return { status: 400, headers: {}, body: 'client closed the request' }
      }
      log('%s %s failed: %O', method, id, err)
      throw err
    }
  }
  return { handle }
}

function errorResponse(err: TusError): TusResponse {
  const headers: Record<string, string> = { ...err.headers }
  if (err.status === 412) headers['Tus-Version'] = SUPPORTED_VERSIONS.join(',')
  return { status: err.status, headers, body: err.message }
}
