/** Where a request points inside the tus endpoint. */
export type Route =
  /** The creation URL itself (`/files` or `/files/`). */
  | { kind: 'collection'; base: string }
  /** One upload (`/files/<id>`); `id` is raw and not yet validated. */
  | { kind: 'upload'; base: string; id: string }

function pathname(url: string): string {
  const q = url.indexOf('?')
  const h = url.indexOf('#')
  let end = url.length
  if (q !== -1) end = q
  if (h !== -1 && h < end) end = h
  return url.slice(0, end)
}

function routeWithin(base: string, rest: string): Route | undefined {
  if (rest === '' || rest === '/') return { kind: 'collection', base }
  if (rest[0] !== '/') return undefined
  return { kind: 'upload', base, id: rest.slice(1) }
}

/**
 * Matches a request against the endpoint path. `originalUrl` is the URL before a framework
 * stripped its mount prefix (Express, Connect); `url` is what the handler was given. A request
 * matches when its full path is under `path`, or, when mounted, whatever reaches the handler is
 * taken relative to the mount point. Returns `undefined` for requests that are not ours.
 */
export function matchRoute(path: string, url: string, originalUrl?: string): Route | undefined {
  const full = pathname(originalUrl ?? url)
  if (full === path || full.startsWith(path.endsWith('/') ? path : `${path}/`)) {
    const base = path.endsWith('/') ? path.slice(0, -1) : path
    return routeWithin(base, full.slice(base.length))
  }
  if (originalUrl !== undefined && originalUrl !== url) {
    const rel = pathname(url)
    // The mount prefix is what the framework stripped from the front of the full path.
    if (full.endsWith(rel) || rel === '/') {
      const base = rel === '/' ? full.replace(/\/$/, '') : full.slice(0, full.length - rel.length)
      return routeWithin(base, rel)
    }
  }
  return undefined
}

/** Normalises the `path` option: leading slash, no trailing slash (`/` stays `/`). */
export function normalisePath(path: string): string {
  let p = path.startsWith('/') ? path : `/${path}`
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1)
  return p
}
