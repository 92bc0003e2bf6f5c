import { createLog } from '../util/log.js'
import { SUPPORTED_VERSIONS } from '../protocol/constants.js'
import { ERRORS, TusError, errorText, isTusError, oneLine } from '../model/errors.js'
import { effectiveMethod } from '../protocol/headers.js'
import { nonNegativeIntegerProblem } from '../protocol/integer.js'
import { advertisedExtensions } from '../protocol/extensions.js'
import { matchRoute } from '../protocol/route.js'
import { responseProblem, statusProblem } from '../protocol/sendable.js'
import { resolveOptions, type MaxSize, type TusHandlerOptions } from '../context/options.js'
import type { UploadStore } from '../stores/upload-store.js'
import { compileRoutes, uniqueNames, type RouteSettings } from '../dialects/route-table.js'
import { TUS_ROUTES } from '../dialects/tus/routes.js'
import { tusDispatch } from '../dialects/tus/dispatch.js'
import { DRAFT_ROUTES } from '../dialects/ietf/routes.js'
import { interopVersion } from '../dialects/ietf/interop.js'
import { draftDispatch } from '../dialects/ietf/dispatch.js'
import { ProblemError, problemResponse } from '../dialects/ietf/problem.js'
import { createCors } from './cors.js'
import { tableErrorResponse } from './response-headers.js'
import { createEvents, type TusEvents } from '../context/events.js'
import type { ErrorReplacement, HookRequest } from '../context/hooks.js'
import type {
  CoreRequest,
  Dialect,
  MethodContext,
  TusRequest,
  TusResponse,
} from '../context/request.js'

const log = createLog('handler')

const TUS_DIALECT: Dialect = { name: 'tus' }

/**
 * The framework-free tus endpoint: a request shape in, a response shape out. Every adapter
 * (node:http, Express, Koa, web `Request`/`Response`) only translates to and from it.
 */
export interface TusCore {
  /**
   * Handles one request. Resolves `undefined` for requests outside the endpoint, and a
   * response for everything else, protocol errors included. Rejects only on real failures
   * (a store throwing a plain error, a response that cannot be sent), which the adapter hands
   * to the host app.
   */
  handle(req: CoreRequest): Promise<TusResponse | undefined>
  /** Typed events for observers: `created`, `progress`, `finished`, `terminated`, `expired`. */
  readonly events: TusEvents
  /**
   * Every method the endpoint routes with its store and options, `OPTIONS` first (from the
   * route tables of its dialects), for front ends that declare routes by method.
   */
  readonly methods: readonly string[]
  /**
   * Deletes unfinished uploads idle for longer than `expireAfter`; resolves with how many.
   * Resolves 0 without `expireAfter` or a store that can expire uploads.
   */
  deleteExpired(): Promise<number>
  /** Stops the background expiration sweep, if any. */
  close(): void
}

/** What every front end carries beside its handler: the endpoint's events, sweep and shutdown. */
export type EndpointControls = Pick<TusCore, 'events' | 'deleteExpired' | 'close'>

/** The controls of `core`, for a front end to carry. */
export function endpointControls(core: TusCore): EndpointControls {
  return { events: core.events, deleteExpired: core.deleteExpired, close: core.close }
}

/** Builds the core; options are validated here, once. */
export function createTusCore(store: UploadStore, options: TusHandlerOptions = {}): TusCore {
  const resolved = resolveOptions(options)
  const { hooks } = resolved
  const events = createEvents()
  const canExpire = resolved.expireAfter !== undefined && store.capabilities.has('expiration')
  if (resolved.expireAfter !== undefined && !canExpire) {
    throw new TypeError('tuskit: options.expireAfter needs a store with the expiration capability')
  }
  const extensions = advertisedExtensions(
    store.capabilities,
    new Set(canExpire ? [] : ['expiration']),
  )
  // The route tables with what this store and these options turn off, and all that derives
  // from them, settled once here.
  const settings: RouteSettings = { options: resolved, store, extensions }
  const tusRoutes = compileRoutes(TUS_ROUTES, settings)
  const draftRoutes = compileRoutes(DRAFT_ROUTES, settings)
  const tables = resolved.ietfDraft ? [tusRoutes, draftRoutes] : [tusRoutes]
  const methods = uniqueNames(tables.flatMap((table) => table.methods))
  const dispatchTus = tusDispatch(tusRoutes)
  const dispatchDraft = draftDispatch(draftRoutes)
  const requestHeaders = tables.flatMap((table) => table.headers)
  const cors = resolved.cors && createCors(resolved.cors, methods, requestHeaders)

  async function handle(raw: CoreRequest): Promise<TusResponse | undefined> {
    // The IETF draft, when the request speaks a version of it we know; else tus 1.0.
    const draft = resolved.ietfDraft ? interopVersion(raw.headers) : undefined
    let response = await respond(raw, draft)
    if (response === undefined) return undefined
    if (draft !== undefined) response = { ...response, dialect: 'ietf-draft' }
    if (cors !== undefined) response = await cors(raw, response)
    assertSendable(response, raw)
    return response
  }

  /**
   * Refuses a response no runtime can send (see protocol/sendable.ts), before an adapter
   * writes anything: a header a hook returned with a value outside Latin-1, `undefined`, a
   * CR/LF, or an unusable status. That is a bug of the app, so it is a failure like a store's
   * plain error (500, or the host's error handling), not a crash of the process.
   */
  function assertSendable(response: TusResponse, raw: CoreRequest): void {
    const problem = responseProblem(response.status, response.headers)
    if (problem === undefined) return
    if (typeof response.body === 'object') response.body.destroy()
    log('%s %s failed: %s', raw.method, raw.url, problem)
    throw new TypeError(`tuskit: ${problem}`)
  }

  async function respond(
    raw: CoreRequest,
    draft: number | undefined,
  ): Promise<TusResponse | undefined> {
    const route = matchRoute(resolved.path, raw.url, raw.originalUrl)
    if (route === undefined) return undefined
    const started = Date.now()
    const id = route.kind === 'upload' ? route.id : undefined
    let hookRequest: HookRequest = {
      method: raw.method,
      url: raw.url,
      headers: raw.headers,
      raw: raw.raw,
    }
    try {
      const method = effectiveMethod(raw.method, raw.headers['x-http-method-override'])
      hookRequest = { ...hookRequest, method }
      if (method !== 'OPTIONS') await hooks.onIncomingRequest?.(hookRequest, id)
      // A copy only for a method override: a spread would also make the lazy `signal`.
      const req: TusRequest = method === raw.method ? raw : { ...raw, method }
      const dialect: Dialect =
        draft === undefined ? TUS_DIALECT : { name: 'ietf-draft', version: draft }
      const ctx: MethodContext = {
        req,
        dialect,
        store,
        options: resolved,
        base: route.base,
        maxSize: await resolveMaxSize(resolved.maxSize, hookRequest),
        hookRequest,
        events,
        extensions,
      }
      const dispatch = draft === undefined ? dispatchTus : dispatchDraft
      const response = await dispatch(ctx, route)
      log('%s %s %d %dms', method, id ?? '-', response.status, Date.now() - started)
      return response
    } catch (err) {
      const tusErr = toTusError(err)
      if (tusErr !== undefined) {
        log(
          '%s %s %d %dms %s',
          hookRequest.method,
          id ?? '-',
          tusErr.status,
          Date.now() - started,
          tusErr.code,
        )
        return errorResponse(tusErr, hookRequest, draft !== undefined)
      }
      if (raw.signal.aborted) {
        // The client is gone: nobody to answer, nothing for the host app to see.
        log(
          '%s %s client gone: %s',
          hookRequest.method,
          id ?? '-',
          (err as Error | undefined)?.message,
        )
        return tableErrorResponse('ERR_REQUEST_ABORTED')
      }
      log('%s %s failed: %O', hookRequest.method, id ?? '-', err)
      throw err
    }
  }

  /**
   * The answer to a `TusError`: `onResponseError`'s replacement as the hook wrote it (if it
   * can be sent: a status from 200 to 599 and a string body; else, as when the hook throws,
   * the original error), else for a draft request with a problem type its problem+json
   * document, else `<code>: <reason>` (a hook's plain error keeps the reason it chose, without
   * a code).
   */
  async function errorResponse(
    err: TusError,
    req: HookRequest,
    draft: boolean,
  ): Promise<TusResponse> {
    const headers: Record<string, string> = { ...err.headers }
    if (err.status === 412) headers['Tus-Version'] = SUPPORTED_VERSIONS.join(',')
    if (hooks.onResponseError) {
      try {
        const replacement = await hooks.onResponseError(req, err)
        const problem = replacement ? replacementProblem(replacement) : undefined
        if (problem !== undefined) {
          log('onResponseError returned %s; the original error is answered', problem)
        } else if (replacement) {
          return { status: replacement.status, headers, body: oneLine(replacement.body) }
        }
      } catch (hookErr) {
        log('onResponseError failed: %O', hookErr)
      }
    }
    if (draft && err instanceof ProblemError) return problemResponse(err, headers)
    const body = err instanceof HookRefusal ? oneLine(err.message) : errorText(err)
    return { status: err.status, headers, body }
  }

  async function deleteExpired(): Promise<number> {
    if (!canExpire || resolved.expireAfter === undefined || !store.deleteExpired) return 0
    const count = await store.deleteExpired(new Date(Date.now() - resolved.expireAfter))
    if (count > 0) events.emit('expired', count)
    return count
  }

  let sweep: NodeJS.Timeout | undefined
  if (canExpire && resolved.expirationSweepInterval !== undefined) {
    sweep = setInterval(() => {
      deleteExpired().catch((err: unknown) => log('expiration sweep failed: %O', err))
    }, resolved.expirationSweepInterval)
    sweep.unref()
  }

  return {
    handle,
    events,
    methods,
    deleteExpired,
    close() {
      if (sweep !== undefined) clearInterval(sweep)
      sweep = undefined
    },
  }
}

async function resolveMaxSize(
  maxSize: MaxSize | undefined,
  req: HookRequest,
): Promise<number | undefined> {
  if (typeof maxSize !== 'function') return maxSize
  const value = await maxSize(req)
  const problem = value === undefined ? undefined : nonNegativeIntegerProblem(value)
  if (problem !== undefined) {
    throw new TypeError(`tuskit: options.maxSize returned ${String(value)}, which ${problem}`)
  }
  return value
}

/** Why an `onResponseError` replacement cannot be sent, or `undefined` if it can. */
function replacementProblem(replacement: ErrorReplacement): string | undefined {
  const bad = statusProblem(replacement.status)
  if (bad !== undefined) return `the status ${bad}`
  const { body } = replacement as { body: unknown }
  return typeof body === 'string' ? undefined : `a body that is ${typeof body}, not a string`
}

/** A TusError, or an error from a hook that carries an HTTP status; `undefined` otherwise. */
function toTusError(err: unknown): TusError | undefined {
  if (isTusError(err)) return err
  if (typeof err !== 'object' || err === null) return undefined
  const { status, statusCode, message } = err as {
    status?: unknown
    statusCode?: unknown
    message?: unknown
  }
  const code = typeof status === 'number' ? status : statusCode
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 599) {
    return undefined
  }
  if (typeof message !== 'string' || message === '') {
    return new TusError('ERR_REFUSED', code, ERRORS.ERR_REFUSED.message)
  }
  return new HookRefusal(code, message)
}

/**
 * A hook's refusal by a plain error with a status: the app chose the body, so it is sent as
 * the error's message alone, with no code in front (its code for hooks and logs is ERR_REFUSED).
 */
class HookRefusal extends TusError {
  constructor(status: number, message: string) {
    super('ERR_REFUSED', status, message)
  }
}
