/** Decoded `Upload-Metadata`: key to UTF-8 value, `null` for a key sent without a value. */
export type Metadata = Record<string, string | null>

/**
 * Optional abilities a store may have. The handler advertises in `Tus-Extension` only what
 * the store declares, and refuses the matching requests otherwise.
 */
export type Capability =
  /** `declareLength` works: uploads may be created with `Upload-Defer-Length: 1`. */
  | 'creation-defer-length'
  /** `remove` works (tus `termination`). */
  | 'termination'
  /** `concatenate` works (tus `concatenation`). */
  | 'concatenation'
  /** `read` works (GET downloads). */
  | 'read'
  /** `deleteExpired` works and uploads report `updatedAt` (tus `expiration`). */
  | 'expiration'
  /** `append` honours `AppendOptions.checksum`, all or nothing (tus `checksum`). */
  | 'checksum'

/** The state of one upload as a store holds it. */
export interface Upload {
  /** URL-safe id, unique within the store. */
  readonly id: string
  /** Total length in bytes; `undefined` while deferred. */
  readonly size: number | undefined
  /** Bytes stored so far: the one source of truth for resumption. */
  readonly offset: number
  /** Decoded `Upload-Metadata`. */
  readonly metadata: Readonly<Metadata>
  /** When the upload was created. */
  readonly createdAt: Date
  /** When bytes were last stored (creation time before the first); drives expiration. */
  readonly updatedAt?: Date
  /** Set for the parts and results of tus `concatenation`. */
  readonly concat?: ConcatInfo
}

/** How an upload takes part in tus `concatenation`. */
export type ConcatInfo =
  /** A part, to be concatenated into a final upload later. */
  | { readonly kind: 'partial' }
  /** The concatenation of `parts` (upload ids), in order. */
  | { readonly kind: 'final'; readonly parts: readonly string[] }

/** What the handler asks a store to create. */
export interface UploadInit {
  /** Id chosen by the handler, already validated as URL- and file-name-safe. */
  readonly id: string
  /** Total length, or `undefined` for a deferred length. */
  readonly size: number | undefined
  readonly metadata: Readonly<Metadata>
  readonly concat?: ConcatInfo
}

/** A digest the appended bytes must match (tus `checksum`). */
export interface ChecksumSpec {
  /**
   * Lower-case algorithm names (`sha1`, …) to digest the body with while it streams: the one
   * `Upload-Checksum` names or, for `checksum-trailer` (whose algorithm only arrives with the
   * trailer), every algorithm offered. `createChecksumVerifier` does the bookkeeping.
   */
  readonly algorithms: readonly string[]
  /**
   * The expected digest, read once the body has ended: for `checksum-trailer` it only arrives
   * as an HTTP trailer. `undefined` then means no checksum was sent after all (the append is
   * still all or nothing). Throws a 400 `TusError` for a malformed trailer.
   */
  readonly expected: () => { readonly algorithm: string; readonly digest: Buffer } | undefined
}

/** Limits and cancellation for one `append`. */
export interface AppendOptions {
  /**
   * Most bytes this append may store. Bytes past it are not written and the append rejects
   * with a 413 `TusError` after storing exactly `maxBytes`.
   */
  readonly maxBytes: number
  /** Aborts the append; bytes already received are kept and counted. */
  readonly signal?: AbortSignal
  /**
   * How many bytes the body says it has (its `Content-Length`), when known: a hint for sizing
   * writes. The body may still end early; correctness must not depend on it.
   */
  readonly expectedBytes?: number
  /**
   * With a checksum the append is all or nothing: on a mismatch (460) or any failure, nothing
   * is stored and the offset stays where it was, even across a crash.
   */
  readonly checksum?: ChecksumSpec
}

/** Whether an upload has all its bytes. */
export function isComplete(upload: Upload): boolean {
  return upload.size !== undefined && upload.offset === upload.size
}
