import type { Locker } from '../lockers/locker.js'
import { MemoryLocker } from '../lockers/memory-locker.js'
import { nonNegativeIntegerProblem } from '../protocol/integer.js'
import { normalisePath } from '../protocol/route.js'
import type { HookRequest, TusHooks } from './hooks.js'
import type { Metadata } from '../model/upload.js'
import { resolveCors, type CorsOptions, type ResolvedCors } from './cors-options.js'
import {
  resolveMultipart,
  type MultipartOptions,
  type ResolvedMultipart,
} from './multipart-options.js'

/** Largest upload size, fixed or decided per request (e.g. by the user's plan). */
export type MaxSize =
  number | ((req: HookRequest) => number | undefined | Promise<number | undefined>)

/** Options of {@link createTusHandler}; every one has a default. */
export interface TusHandlerOptions extends TusHooks {
  /**
   * Public path of the endpoint, e.g. `/files`. Requests outside it go to `next`. When a
   * framework mounts the handler and strips its prefix (Express `app.use('/x', tus)`), the
   * mount point is used instead. Default `/files`.
   */
  path?: string
  /**
   * Largest upload in bytes, sent as `Tus-Max-Size`; larger ones get 413. A function decides
   * per request (its result for the OPTIONS request is what OPTIONS advertises). Default: none.
   */
  maxSize?: MaxSize
  /**
   * Chooses the id of a new upload (URL-safe: `[A-Za-z0-9_-]{1,128}`). Default: 128 random
   * bits, base64url. Ids must be unguessable unless `onIncomingRequest` checks ownership.
   */
  namingFunction?: (req: HookRequest, metadata: Readonly<Metadata>) => string | Promise<string>
  /**
   * Milliseconds without new bytes after which an unfinished upload expires (tus
   * `expiration`): it is answered 410 and may be deleted. Needs a store with the
   * `expiration` capability. Default: uploads never expire.
   */
  expireAfter?: number
  /**
   * With `expireAfter`, how often (ms) to delete expired uploads in the background. Default:
   * no sweep; call `handler.deleteExpired()` yourself (e.g. from a cron job).
   */
  expirationSweepInterval?: number
  /** Whether DELETE may remove an upload that has all its bytes. Default `true`. */
  terminateFinished?: boolean
  /** Serialises requests per upload. Default: a {@link MemoryLocker}. */
  locker?: Locker
  /** Answer `Location` as a path (`/files/<id>`) instead of an absolute URL. Default `false`. */
  relativeLocation?: boolean
  /** Longest `Upload-Metadata` header accepted, in bytes. Default 4096. */
  maxMetadataSize?: number
  /**
   * Serve uploads back with `GET` (bytes stored so far, `Range` supported). Types that a
   * browser could run (HTML, SVG, …) are always sent as an `application/octet-stream`
   * attachment. Needs a store with the `read` capability; `false` answers GET with 405.
   * Default `true`.
   */
  download?: boolean
  /**
   * Also speak the IETF "Resumable Uploads for HTTP" draft (interop versions 3 to 8) to
   * requests that send `Upload-Draft-Interop-Version`. Default `true`.
   */
  ietfDraft?: boolean
  /**
   * Classic form uploads: a `multipart/form-data` POST to the creation URL stores each file
   * as a complete upload (no `Tus-Resumable` needed). An object sets its limits; `false`
   * turns it off. Needs a store with `creation-defer-length`. Default: on, default limits.
   */
  multipart?: false | MultipartOptions
  /**
   * CORS for browser clients on other origins, applied to every response of the endpoint.
   * `false` sends no CORS headers at all (for apps or proxies that add their own). Default:
   * any origin (`{ origins: '*' }`), no credentials.
   */
  cors?: false | CorsOptions
  /**
   * Build the absolute `Location` from `Forwarded` / `X-Forwarded-Host`, `X-Forwarded-Proto`
   * and `X-Forwarded-Prefix`. Only behind a proxy that sets or strips them: clients can send
   * them too. Default `false`.
   */
  respectForwardedHeaders?: boolean
  /**
   * Milliseconds a PATCH or POST body may go without receiving a byte before it is cut off
   * with a 408 and the connection closed; the bytes received are kept. Time the server
   * itself makes the client wait (backpressure) does not count. `0` turns it off. Default
   * 60 000.
   */
  bodyIdleTimeout?: number
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  readonly path: string
  readonly maxSize: MaxSize | undefined
  readonly namingFunction: TusHandlerOptions['namingFunction']
  readonly expireAfter: number | undefined
  readonly expirationSweepInterval: number | undefined
  readonly terminateFinished: boolean
  readonly hooks: { readonly [K in keyof TusHooks]-?: TusHooks[K] | undefined }
  readonly locker: Locker
  readonly relativeLocation: boolean
  readonly maxMetadataSize: number
  readonly download: boolean
  readonly ietfDraft: boolean
  /** `undefined` when form uploads are off. */
  readonly multipart: ResolvedMultipart | undefined
  /** `undefined` when CORS is off. */
  readonly cors: ResolvedCors | undefined
  readonly respectForwardedHeaders: boolean
  /** `0` when off. */
  readonly bodyIdleTimeout: number
}

function checkSize(name: string, value: number | undefined): void {
  const problem = value === undefined ? undefined : nonNegativeIntegerProblem(value)
  if (problem !== undefined) throw new TypeError(`tuskit: options.${name} ${problem}`)
}

/** Applies defaults and fails fast, at construction, on options that cannot work. */
export function resolveOptions(options: TusHandlerOptions = {}): ResolvedOptions {
  if (options.path !== undefined && typeof options.path !== 'string') {
    throw new TypeError('tuskit: options.path must be a string')
  }
  if (typeof options.maxSize !== 'function') checkSize('maxSize', options.maxSize)
  checkSize('expireAfter', options.expireAfter)
  checkSize('expirationSweepInterval', options.expirationSweepInterval)
  if (options.expirationSweepInterval !== undefined && options.expireAfter === undefined) {
    throw new TypeError('tuskit: options.expirationSweepInterval needs options.expireAfter')
  }
  for (const name of [
    'namingFunction',
    'onIncomingRequest',
    'onUploadCreate',
    'onUploadFinish',
    'onResponseError',
  ] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`tuskit: options.${name} must be a function`)
    }
  }
  checkSize('maxMetadataSize', options.maxMetadataSize)
  checkSize('bodyIdleTimeout', options.bodyIdleTimeout)
  for (const name of ['download', 'respectForwardedHeaders', 'ietfDraft'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw new TypeError(`tuskit: options.${name} must be a boolean`)
    }
  }
  return {
    path: normalisePath(options.path ?? '/files'),
    maxSize: options.maxSize,
    namingFunction: options.namingFunction,
    expireAfter: options.expireAfter,
    expirationSweepInterval: options.expirationSweepInterval,
    terminateFinished: options.terminateFinished ?? true,
    hooks: {
      onIncomingRequest: options.onIncomingRequest,
      onUploadCreate: options.onUploadCreate,
      onUploadFinish: options.onUploadFinish,
      onResponseError: options.onResponseError,
    },
    locker: options.locker ?? new MemoryLocker(),
    relativeLocation: options.relativeLocation ?? false,
    maxMetadataSize: options.maxMetadataSize ?? 4096,
    download: options.download ?? true,
    ietfDraft: options.ietfDraft ?? true,
    multipart: resolveMultipart(options.multipart),
    cors: resolveCors(options.cors),
    respectForwardedHeaders: options.respectForwardedHeaders ?? false,
    bodyIdleTimeout: options.bodyIdleTimeout ?? 60_000,
  }
}
