import { tusError } from '../model/errors.js'
import { isValidUploadId } from '../protocol/upload-id.js'
import type { Route } from '../protocol/route.js'
import type { ResolvedOptions } from '../context/options.js'
import type { UploadStore } from '../stores/upload-store.js'
import type { MethodContext, TusResponse, UploadContext } from '../context/request.js'

/**
 * A dialect's routes as data: for each kind of resource (the creation URL, one upload) and
 * method, the handler and when it is on. Everything that names the methods of the endpoint is
 * derived from these tables: dispatch, `Allow` (405 and `OPTIONS` answers), the CORS preflight's
 * allowed methods and request headers, and the routes a framework adapter registers.
 */

/** What a route's `enabled` condition looks at: the handler's configuration, fixed at creation. */
export interface RouteSettings {
  readonly options: ResolvedOptions
  readonly store: UploadStore
  /** The tus extensions advertised for this store and these options. */
  readonly extensions: readonly string[]
}

/** One handler of one method of one kind of resource. */
export interface RouteEntry<C extends MethodContext> {
  readonly handle: (ctx: C) => TusResponse | Promise<TusResponse>
  /** Whether the configuration turns the route on; always on without it. */
  readonly enabled?: (settings: RouteSettings) => boolean
  /**
   * Which requests of this method the route takes (a form upload among POSTs); the next entry
   * of the method is tried for the others, and a request no entry takes is a 405.
   */
  readonly accepts?: (ctx: MethodContext) => boolean
  /** tus 1.0: plain HTTP, answered without `Tus-Resumable` (downloads, forms, OPTIONS). */
  readonly plain?: boolean
  /** Request headers a client sends with it, which a CORS preflight must allow. */
  readonly headers: readonly string[]
}

/** Method → the entries that may handle it, tried in order. */
export type MethodTable<C extends MethodContext> = Readonly<
  Record<string, readonly RouteEntry<C>[]>
>

/** One dialect's routes. */
export interface RouteTable {
  /** OPTIONS, answered on every resource of the endpoint, whatever the upload id. */
  readonly options: RouteEntry<MethodContext>
  /** The creation URL (`/files`). */
  readonly collection: MethodTable<MethodContext>
  /** One upload (`/files/<id>`); its handlers get the validated id. */
  readonly upload: MethodTable<UploadContext>
}

/** A table with its disabled routes left out, and what is derived from it; built once. */
export interface CompiledRoutes {
  readonly options: RouteEntry<MethodContext>
  readonly collection: ReadonlyMap<string, readonly RouteEntry<MethodContext>[]>
  readonly upload: ReadonlyMap<string, readonly RouteEntry<UploadContext>[]>
  /** `Allow` of each kind of resource: `OPTIONS`, then its enabled methods in table order. */
  readonly allow: { readonly collection: string; readonly upload: string }
  /** Every enabled method, `OPTIONS` first. */
  readonly methods: readonly string[]
  /** Every request header the enabled routes read, in table order, once each. */
  readonly headers: readonly string[]
}

function enabledMethods<C extends MethodContext>(
  table: MethodTable<C>,
  settings: RouteSettings,
): Map<string, readonly RouteEntry<C>[]> {
  const out = new Map<string, readonly RouteEntry<C>[]>()
  for (const [method, entries] of Object.entries(table)) {
    const on = entries.filter((entry) => entry.enabled?.(settings) ?? true)
    if (on.length > 0) out.set(method, on)
  }
  return out
}

/** `names` without repeats (case-insensitive), first spelling and order kept. */
export function uniqueNames(names: Iterable<string>): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const name of names) {
    const key = name.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    out.push(name)
  }
  return out
}

/** Leaves out the routes `settings` turn off and derives `Allow` and the CORS lists. */
export function compileRoutes(table: RouteTable, settings: RouteSettings): CompiledRoutes {
  const collection = enabledMethods(table.collection, settings)
  const upload = enabledMethods(table.upload, settings)
  const entries = [table.options, ...[...collection.values(), ...upload.values()].flat()]
  return {
    options: table.options,
    collection,
    upload,
    allow: {
      collection: ['OPTIONS', ...collection.keys()].join(', '),
      upload: ['OPTIONS', ...upload.keys()].join(', '),
    },
    methods: uniqueNames(['OPTIONS', ...collection.keys(), ...upload.keys()]),
    headers: uniqueNames(entries.flatMap((entry) => entry.headers)),
  }
}

/** Routes one request, already matched to the endpoint and its dialect chosen. */
export type Dispatch = (ctx: MethodContext, target: Route) => Promise<TusResponse>

/** A dialect's check of a request before it is routed, given the entry that takes it, if any. */
export type Admit = (ctx: MethodContext, entry: { readonly plain?: boolean } | undefined) => void

/** The entry of `methods` that takes this request, if any. */
function entryFor<C extends MethodContext>(
  methods: ReadonlyMap<string, readonly RouteEntry<C>[]>,
  ctx: MethodContext,
): RouteEntry<C> | undefined {
  const entries = methods.get(ctx.req.method)
  if (entries === undefined) return undefined
  for (const entry of entries) {
    if (entry.accepts === undefined || entry.accepts(ctx)) return entry
  }
  return undefined
}

/**
 * Routes a request to its entry in `routes`: OPTIONS on any resource (with the resource's
 * `Allow`); else `admit` sees the entry found (or `undefined`) and may refuse the request
 * first; then 404 for an invalid upload id, and 405 with `Allow` when no entry takes it.
 */
export async function routeRequest(
  routes: CompiledRoutes,
  ctx: MethodContext,
  target: Route,
  admit?: Admit,
): Promise<TusResponse> {
  if (ctx.req.method === 'OPTIONS') {
    const response = await routes.options.handle(ctx)
    return { ...response, headers: { ...response.headers, Allow: routes.allow[target.kind] } }
  }
  if (target.kind === 'collection') {
    const entry = entryFor(routes.collection, ctx)
    admit?.(ctx, entry)
    if (entry !== undefined) return entry.handle(ctx)
    throw tusError('ERR_METHOD_NOT_ALLOWED', undefined, { Allow: routes.allow.collection })
  }
  const entry = entryFor(routes.upload, ctx)
  admit?.(ctx, entry)
  if (!isValidUploadId(target.id)) throw tusError('ERR_UPLOAD_NOT_FOUND')
  if (entry !== undefined) return entry.handle({ ...ctx, id: target.id })
  throw tusError('ERR_METHOD_NOT_ALLOWED', undefined, { Allow: routes.allow.upload })
}
