import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { ResolvedOptions } from './options.js'
import type { UploadStore } from '../stores/upload-store.js'
import type { HookRequest } from './hooks.js'
import type { TusEvents } from './events.js'

/** The framework-free shape of a request, which every adapter builds. */
export interface TusRequest {
  /** Method after `X-HTTP-Method-Override`. */
  readonly method: string
  readonly headers: IncomingHttpHeaders
  /** The request body; read only by methods that carry one. */
  readonly body: Readable
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal
  /** `http` or `https`, for absolute `Location`s. */
  readonly protocol: 'http' | 'https'
  /** The adapter's own request object, passed to hooks (`IncomingMessage` for Node). */
  readonly raw: unknown
  /**
   * The HTTP trailers (lower-case names), complete once `body` has ended; for
   * `checksum-trailer`. Adapters that cannot read trailers leave it out.
   */
  readonly trailers?: () => Readonly<Record<string, string | undefined>>
  /**
   * Sends an interim (1xx) response before the final one, e.g. the IETF draft's `104 Upload
   * Resumption Supported`. Adapters that cannot send interim responses leave it out.
   */
  readonly sendInterim?: (status: number, headers: Readonly<Record<string, string>>) => void
}

/** A request as an adapter hands it to the core, before routing and method override. */
export interface CoreRequest extends Omit<TusRequest, 'method'> {
  /** The HTTP method as received. */
  readonly method: string
  /** The URL the handler was given (path and query). */
  readonly url: string
  /** The URL before a framework stripped its mount prefix (Express, Connect), if any. */
  readonly originalUrl?: string | undefined
}

/** What a method produces; the adapter writes it out. */
export interface TusResponse {
  status: number
  headers: Record<string, string>
  /** A one-line text reason, or a byte stream (downloads). */
  body?: string | Readable
  /** `'ietf-draft'` for responses of the IETF resumable-upload draft: no `Tus-Resumable`. */
  dialect?: 'ietf-draft'
}

/** The protocol a request speaks: tus 1.0, or the IETF draft at one interop version. */
export type Dialect =
  { readonly name: 'tus' } | { readonly name: 'ietf-draft'; readonly version: number }

/** Everything a method module needs, built once per request. */
export interface MethodContext {
  readonly req: TusRequest
  /** The dialect the request speaks, chosen by the endpoint. */
  readonly dialect: Dialect
  readonly store: UploadStore
  readonly options: ResolvedOptions
  /** URL path of the endpoint, without a trailing slash (`/files`). */
  readonly base: string
  /** `maxSize` for this request (a function option is called once per request). */
  readonly maxSize: number | undefined
  /** What hooks see of this request. */
  readonly hookRequest: HookRequest
  /** Observers' events. */
  readonly events: TusEvents
  /** The tus extensions this endpoint implements with its store (`Tus-Extension`). */
  readonly extensions: readonly string[]
}

/** Context of a method aimed at one upload. */
export interface UploadContext extends MethodContext {
  readonly id: string
}
