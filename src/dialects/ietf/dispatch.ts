import { isTusError } from '../../model/errors.js'
import type { MethodContext, TusResponse } from '../../context/request.js'
import type { Route } from '../../protocol/route.js'
import { routeRequest, type CompiledRoutes, type Dispatch } from '../route-table.js'
import { completeHeader, uploadLimit } from './fields.js'
import { draftVersion } from './interop.js'
import { ProblemError, addHeaders, problemError } from './problem.js'

/**
 * The dispatcher of the IETF resumable-upload draft over `routes` (`DRAFT_ROUTES` compiled for
 * one handler), for requests that carry a supported `Upload-Draft-Interop-Version`. Needs no
 * `Tus-Resumable`. Every response, errors included, echoes the interop version; a 413 carries
 * `Upload-Limit`.
 */
export function draftDispatch(routes: CompiledRoutes): Dispatch {
  return (ctx, target) => dispatchDraft(routes, ctx, target)
}

async function dispatchDraft(
  routes: CompiledRoutes,
  ctx: MethodContext,
  target: Route,
): Promise<TusResponse> {
  const version = draftVersion(ctx)
  const echo = { 'Upload-Draft-Interop-Version': String(version) }
  try {
    const response = await routeRequest(routes, ctx, target)
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
}
