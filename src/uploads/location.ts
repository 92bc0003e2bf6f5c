import { forwardedOrigin, isValidHost, stripDefaultPort } from '../protocol/forwarded.js'
import type { MethodContext } from '../context/request.js'

/**
 * The URL of an upload, absolute unless `relativeLocation` is set or the Host is unusable.
 * A Host is trusted only if it looks like a host: letters, digits, dots, dashes, an optional
 * port, or a bracketed IPv6 literal; anything else yields a relative Location. With
 * `respectForwardedHeaders`, a valid forwarded host, proto and prefix take precedence.
 */
export function uploadUrl(ctx: MethodContext, id: string): string {
  const fwd = ctx.options.respectForwardedHeaders ? forwardedOrigin(ctx.req.headers) : {}
  const path = `${fwd.prefix ?? ''}${ctx.base}/${id}`
  if (ctx.options.relativeLocation) return path
  const host = fwd.host ?? ctx.req.headers.host
  if (host === undefined || !isValidHost(host)) return path
  const proto = fwd.proto ?? ctx.req.protocol
  return `${proto}://${stripDefaultPort(host, proto)}${path}`
}
