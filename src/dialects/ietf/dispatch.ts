import { isTusError, tusError } from '../../model/errors.js'
import type { Route } from '../../protocol/route.js'
import { routeUpload, type Allowed } from '../tus/dispatch.js'
import type { MethodContext, TusResponse } from '../../context/request.js'
import { completeHeader, hasCompleteField, uploadLimit } from './fields.js'
import { handleDraftHead } from './head.js'
import { handleDraftOptions } from './options.js'
import { handleDraftAppend } from './patch.js'
import { handleDraftCreation } from './post.js'
import { ProblemError, addHeaders, problemError } from './problem.js'

/**
 * Routes a request of the IETF resumable-upload draft (it carries a supported
 * `Upload-Draft-Interop-Version`) to the draft's method modules. Needs no `Tus-Resumable`.
 * DELETE and GET are the tus modules themselves. Every response, errors included, echoes the
 * interop version; a 413 carries `Upload-Limit`.
 */
export async function dispatchDraft(
  ctx: MethodContext,
  route: Route,
  version: number,
  extensions: readonly string[],
  allowed: Allowed,
): Promise<TusResponse> {
  const echo = { 'Upload-Draft-Interop-Version': String(version) }
  try {
    const response = await routeDraft()
    return { ...response, headers: { ...response.headers, ...echo } }
  } catch (err) {
    if (!isTusError(err)) throw err
    const extra: Record<string, string> = { ...echo }
    if (err.status === 413) extra['Upload-Limit'] = uploadLimit(ctx)
    if (err.code === 'ERR_OFFSET_MISMATCH' && !(err instanceof ProblemError)) {
      // A store's own 409: the same answer as the draft PATCH's.
      const expected = Number(err.headers['Upload-Offset'])
      const provided = Number(ctx.req.headers['upload-offset'])
      const members =
        Number.isSafeInteger(expected) && Number.isSafeInteger(provided)
          ? { 'expected-offset': expected, 'provided-offset': provided }
          : {}
      throw problemError(err, 'mismatching-upload-offset', members, {
        ...extra,
        ...completeHeader(version, false),
      })
    }
    throw addHeaders(err, extra)
  }

  async function routeDraft(): Promise<TusResponse> {
    const { method, headers } = ctx.req
    if (method === 'OPTIONS') return handleDraftOptions(ctx)
    if (route.kind === 'collection') {
      // Creation is any request with content and Upload-Complete aimed at the creation URL.
      const creates =
        method === 'POST' ||
        ((method === 'PUT' || method === 'PATCH') && hasCompleteField(headers, version))
      if (creates) return handleDraftCreation(ctx)
      throw tusError('ERR_METHOD_NOT_ALLOWED', undefined, { Allow: allowed.collection })
    }
    return routeUpload(ctx, route.id, extensions, allowed, {
      head: handleDraftHead,
      patch: handleDraftAppend,
    })
  }
}
