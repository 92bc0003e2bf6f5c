/**
 * tuskit for Fastify 5: a plugin that registers the tus endpoint's routes and hands the raw
 * request stream to tuskit, untouched by Fastify's body parsing.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { FileStore } from 'tuskit'
 * import { createTusPlugin } from 'tuskit/fastify'
 *
 * const app = Fastify()
 * await app.register(createTusPlugin(new FileStore({ directory: './uploads' })), {
 *   prefix: '/files',
 * })
 * await app.listen({ port: 1080 })
 * ```
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { TusHandlerOptions } from '../context/options.js'
import { normalisePath } from '../protocol/route.js'
import type { UploadStore } from '../stores/upload-store.js'
import { nodeCoreRequest } from './node/request.js'
import { writeNodeResponse } from './node/response.js'
import { createTusCore, endpointControls, type EndpointControls } from '../endpoint/core.js'

/** A Fastify plugin that also carries the endpoint's `events`, `deleteExpired()`, `close()`. */
export type TusFastifyPlugin = ((fastify: FastifyInstance) => Promise<void>) & EndpointControls

/**
 * Creates the tus endpoint as a Fastify plugin, at `options.path` (default `/files`): the full
 * public path. Register it at the root, or with a `prefix` that the path starts with (the
 * routes are then declared relative to it): `app.register(createTusPlugin(store), { prefix:
 * '/files' })`, or `{ path: '/api/uploads' }` registered in an `/api` scope. Inside the
 * plugin's own scope every content type is left unparsed, so the request stream reaches
 * tuskit intact and the rest of the app keeps its parsers. Storage failures reach Fastify's
 * error handler; the expiration sweep stops when Fastify closes.
 */
export function createTusPlugin(
  store: UploadStore,
  options: TusHandlerOptions = {},
): TusFastifyPlugin {
  const core = createTusCore(store, options)
  const path = normalisePath(options.path ?? '/files')
  // The methods the endpoint routes with this store and these options (a method override
  // arrives as POST), on both URLs: the core answers 405 with `Allow` where a resource lacks
  // one. Other methods are not the endpoint's; Fastify answers them.
  const methods = [...core.methods] as HTTPMethods[]

  async function tusPlugin(fastify: FastifyInstance): Promise<void> {
    const { prefix } = fastify
    if (path !== prefix && !path.startsWith(`${prefix}/`)) {
      throw new TypeError(
        `tuskit: the tus path ${path} is outside the plugin prefix ${prefix}; pass the full public path as options.path`,
      )
    }
    fastify.addHook('onClose', async () => core.close())
    // Registered as a prefix, Fastify adds both `/files` and `/files/` for the collection.
    await fastify.register(tusRoutes, { prefix: path.slice(prefix.length) })
  }

  async function tusRoutes(scope: FastifyInstance): Promise<void> {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', function leaveBodyUnread(_req, _body, done) {
      done(null)
    })
    for (const url of ['/', '/:id']) {
      scope.route({ method: methods, url, exposeHeadRoute: false, handler: tusRoute })
    }
  }

  async function tusRoute(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const response = await core.handle(nodeCoreRequest(request.raw, reply.raw))
    if (response === undefined) return reply.callNotFound()
    reply.hijack()
    writeNodeResponse(request.raw, reply.raw, response)
  }

  return Object.assign(tusPlugin, endpointControls(core))
}
