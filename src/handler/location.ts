import type { MethodContext } from './types.js'

// A Host header is trusted only if it looks like a host: letters, digits, dots, dashes, an
// optional port, or a bracketed IPv6 literal. Anything else yields a relative Location.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

/** The URL of an upload, absolute unless `relativeLocation` is set or the Host is unusable. */
export function uploadUrl(ctx: MethodContext, id: string): string {
  const path = `${ctx.base}/${id}`
  if (ctx.options.relativeLocation) return path
  const host = ctx.req.headers.host
  if (host === undefined || !HOST.test(host)) return path
  return `${ctx.req.protocol}://${host}${path}`
}
