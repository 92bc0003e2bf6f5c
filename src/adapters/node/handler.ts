import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TusHandlerOptions } from '../../context/options.js'
import type { UploadStore } from '../../stores/upload-store.js'
import { nodeCoreRequest } from './request.js'
import { abandonResponse, writeNodeResponse } from './response.js'
import { tableErrorResponse } from '../../endpoint/response-headers.js'
import { createTusCore, endpointControls, type EndpointControls } from '../../endpoint/core.js'

/** Called for requests outside the endpoint, or with an error the host app should see. */
export type NextFunction = (err?: unknown) => void

/**
 * A Node request handler: mount it in Express or Connect, or call it from `node:http`. It also
 * carries the endpoint's `events`, `deleteExpired()` and `close()` (see {@link TusCore}).
 */
export type TusHandler = ((
  req: IncomingMessage,
  res: ServerResponse,
  next?: NextFunction,
) => void) &
  EndpointControls

/**
 * Creates the tus endpoint as a Node `(req, res, next)` handler.
 *
 * @example
 * ```ts
 * const tus = createTusHandler(new FileStore({ directory: './uploads' }), { path: '/files' })
 * app.use('/files', tus) // Express
 * http.createServer((req, res) => tus(req, res, () => { res.statusCode = 404; res.end() }))
 * ```
 *
 * Protocol errors are answered with their status and a one-line `<code>: <reason>` body;
 * `next(err)` is only called for real failures (storage errors, a hook's response header that
 * cannot be sent), and `next()` for requests outside `path`. Without `next`, those get
 * `ERR_INTERNAL_SERVER_ERROR` (500) and `ERR_NOT_FOUND` (404).
 */
export function createTusHandler(store: UploadStore, options: TusHandlerOptions = {}): TusHandler {
  const core = createTusCore(store, options)

  function tusHandler(req: IncomingMessage, res: ServerResponse, next?: NextFunction): void {
    core
      .handle(nodeCoreRequest(req, res))
      .then(
        (response) => {
          if (response !== undefined) writeNodeResponse(req, res, response)
          else if (next) next()
          else writeNodeResponse(req, res, tableErrorResponse('ERR_NOT_FOUND'))
        },
        (err: unknown) => {
          // The failure itself stays out of the body; DEBUG=tuskit:handler logs it.
          if (next) next(err)
          else writeNodeResponse(req, res, tableErrorResponse('ERR_INTERNAL_SERVER_ERROR'))
        },
      )
      // Only the app's `next` can still throw here; unhandled, that would end the process.
      .catch((err: unknown) => abandonResponse(req, res, err))
  }
  return Object.assign(tusHandler, endpointControls(core))
}
