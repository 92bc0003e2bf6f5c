import type { IncomingHttpHeaders } from 'node:http'
import type { Metadata } from '../model/upload.js'
import type { TusError } from '../model/errors.js'
import type { Upload } from '../model/upload.js'

/** What hooks see of a request. */
export interface HookRequest {
  /** Method after `X-HTTP-Method-Override`. */
  readonly method: string
  /** URL as the handler received it. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** The adapter's own request object: the `IncomingMessage` for node:http, Express, Connect. */
  readonly raw: unknown
}

/** What `onUploadCreate` may change about an upload before it is stored. */
export interface UploadCreateResult {
  /** Replaces the client's metadata. */
  metadata?: Metadata
  /** Sets the upload id (URL-safe: `[A-Za-z0-9_-]{1,128}`). */
  id?: string
}

/** What `onUploadFinish` may add to the response that completed the upload. */
export interface UploadFinishResult {
  /** Extra response headers. */
  headers?: Record<string, string>
}

/** A replacement error response from `onResponseError`. */
export interface ErrorReplacement {
  status: number
  body: string
}

/**
 * Hooks: each may be async, and each may reject to refuse the request. Reject with a
 * `TusError` to answer with its status and the body `<code>: <message>`, or with any error
 * carrying a numeric `status` (400-599) and a `message` to answer with that status and the
 * message alone, as written; other errors are failures handed to the host app.
 */
export interface TusHooks {
  /**
   * Runs first for every request of the endpoint except OPTIONS (CORS preflights carry no
   * credentials): authentication and authorisation. `uploadId` is set for upload URLs.
   */
  onIncomingRequest?: (req: HookRequest, uploadId: string | undefined) => void | Promise<void>
  /** Runs before an upload is created: validate or rewrite metadata, or choose the id. */
  onUploadCreate?: (
    req: HookRequest,
    upload: { readonly size: number | undefined; readonly metadata: Readonly<Metadata> },
  ) => void | UploadCreateResult | Promise<void | UploadCreateResult>
  /**
   * Runs once when an upload has all its bytes, before the completing request is answered:
   * post-processing. May add response headers; rejecting answers the client with that error
   * (the bytes stay stored).
   */
  onUploadFinish?: (
    req: HookRequest,
    upload: Upload,
  ) => void | UploadFinishResult | Promise<void | UploadFinishResult>
  /**
   * Runs for every error response; may replace its status and body (e.g. to hide details).
   * A replacement body is sent as given (on one line), with no code in front.
   */
  onResponseError?: (
    req: HookRequest,
    error: TusError,
  ) => void | ErrorReplacement | Promise<void | ErrorReplacement>
}
