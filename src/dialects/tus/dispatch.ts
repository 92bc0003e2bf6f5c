import { checkTusResumable } from '../../protocol/headers.js'
import { routeRequest, type Admit, type CompiledRoutes, type Dispatch } from '../route-table.js'

/**
 * tus 1.0 needs `Tus-Resumable` on every request but plain HTTP ones (see `TUS_ROUTES`), and
 * on a method no route takes, but for GET: a browser link gets its 405.
 */
const requireTusResumable: Admit = (ctx, entry) => {
  if (entry === undefined ? ctx.req.method !== 'GET' : !entry.plain) {
    checkTusResumable(ctx.req.headers['tus-resumable'])
  }
}

/**
 * The tus 1.0 dispatcher over `routes` (`TUS_ROUTES` compiled for one handler): a lookup of
 * the resource and method. Throws `TusError`s for protocol faults; the caller turns them into
 * responses.
 */
export function tusDispatch(routes: CompiledRoutes): Dispatch {
  return (ctx, target) => routeRequest(routes, ctx, target, requireTusResumable)
}
