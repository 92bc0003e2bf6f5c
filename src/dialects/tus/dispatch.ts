import { tusError } from '../../model/errors.js'
import { checkTusResumable } from '../../protocol/headers.js'
import { isValidUploadId } from '../../protocol/upload-id.js'
import type { Route } from '../../protocol/route.js'
import { handleDelete } from './delete.js'
import { handleGet } from './get.js'
import { handleHead } from './head.js'
import { handleOptions } from './options.js'
import { handlePatch } from './patch.js'
import { handlePost } from './post.js'
import { handleMultipart, isFormUpload } from './multipart.js'
import type { MethodContext, TusResponse, UploadContext } from '../../context/request.js'

/** Which methods each kind of resource answers, for 405 and `Allow`. */
export interface Allowed {
  collection: string
  upload: string
}

/**
 * Routes one request, already matched to the endpoint, to its method module. Throws
 * `TusError`s for protocol faults; the caller turns them into responses.
 */
export async function dispatch(
  ctx: MethodContext,
  route: Route,
  extensions: readonly string[],
  allowed: Allowed,
): Promise<TusResponse> {
  const { method } = ctx.req
  if (method === 'OPTIONS') return handleOptions(extensions, ctx.maxSize)
  // A classic form upload is plain HTTP too: browsers' forms cannot send Tus-Resumable.
  if (route.kind === 'collection' && isFormUpload(ctx)) return handleMultipart(ctx)
  // A download is plain HTTP (a browser link), so GET needs no Tus-Resumable.
  if (method !== 'GET') checkTusResumable(ctx.req.headers['tus-resumable'])

  if (route.kind === 'collection') {
    if (method === 'POST') return handlePost(ctx)
    throw tusError('ERR_METHOD_NOT_ALLOWED', undefined, { Allow: allowed.collection })
  }
  return routeUpload(ctx, route.id, extensions, allowed, { head: handleHead, patch: handlePatch })
}

/** The methods of one upload that differ by dialect; DELETE and GET are the same in both. */
export interface UploadMethods {
  head(uctx: UploadContext): Promise<TusResponse>
  patch(uctx: UploadContext): Promise<TusResponse>
}

/**
 * Routes a request aimed at the upload `id` to its method: 404 for an invalid id, 405 with
 * `Allow` for a method the upload does not answer.
 */
export async function routeUpload(
  ctx: MethodContext,
  id: string,
  extensions: readonly string[],
  allowed: Allowed,
  methods: UploadMethods,
): Promise<TusResponse> {
  if (!isValidUploadId(id)) throw tusError('ERR_UPLOAD_NOT_FOUND')
  const uctx = { ...ctx, id }
  switch (ctx.req.method) {
    case 'HEAD':
      return methods.head(uctx)
    case 'PATCH':
      return methods.patch(uctx)
    case 'DELETE':
      if (extensions.includes('termination')) return handleDelete(uctx)
      break
    case 'GET':
      if (ctx.options.download && ctx.store.capabilities.has('read')) return handleGet(uctx)
      break
  }
  throw tusError('ERR_METHOD_NOT_ALLOWED', undefined, { Allow: allowed.upload })
}
