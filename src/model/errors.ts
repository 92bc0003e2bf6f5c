/** The largest integer tuskit takes in a header or an option: `Number.MAX_SAFE_INTEGER`. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER

/**
 * Every error tuskit answers with, in one table: a stable `code`, its HTTP status and the
 * one-line reason. The response body is `<code>: <reason>` (see {@link errorText}). docs/errors.md
 * lists the same table; a test keeps the two in step.
 */
export const ERRORS = {
  ERR_MISSING_TUS_RESUMABLE: { status: 412, message: 'Tus-Resumable header is missing' },
  ERR_UNSUPPORTED_VERSION: { status: 412, message: 'Tus-Resumable version is not supported' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this resource' },
  ERR_UPLOAD_NOT_FOUND: { status: 404, message: 'upload not found' },
  ERR_UPLOAD_EXPIRED: { status: 410, message: 'upload expired' },
  ERR_TERMINATION_REFUSED: { status: 403, message: 'finished uploads cannot be terminated' },
  ERR_REFUSED: { status: 403, message: 'request refused' },
  ERR_UPLOAD_EXISTS: { status: 409, message: 'an upload with this id already exists' },
  ERR_INVALID_UPLOAD_LENGTH: {
    status: 400,
    message: 'Upload-Length must be a non-negative integer',
  },
  ERR_UPLOAD_LENGTH_TOO_LARGE: {
    status: 413,
    message: `Upload-Length is too large (more than ${MAX_SAFE_INTEGER})`,
  },
  ERR_INVALID_DEFER_LENGTH: { status: 400, message: 'Upload-Defer-Length must be 1' },
  ERR_MISSING_LENGTH: {
    status: 400,
    message: 'Upload-Length or Upload-Defer-Length: 1 is required',
  },
  ERR_AMBIGUOUS_LENGTH: {
    status: 400,
    message: 'send exactly one of Upload-Length and Upload-Defer-Length',
  },
  ERR_LENGTH_ALREADY_SET: { status: 400, message: 'Upload-Length cannot be changed once set' },
  ERR_LENGTH_BELOW_OFFSET: { status: 400, message: 'Upload-Length is smaller than Upload-Offset' },
  ERR_DEFER_NOT_SUPPORTED: {
    status: 501,
    message: 'this server does not support deferred upload lengths',
  },
  ERR_MAX_SIZE_EXCEEDED: { status: 413, message: 'upload is larger than the maximum size' },
  ERR_BODY_TOO_LARGE: { status: 413, message: 'request body exceeds the remaining upload length' },
  ERR_INVALID_OFFSET: { status: 400, message: 'Upload-Offset must be a non-negative integer' },
  ERR_OFFSET_TOO_LARGE: {
    status: 400,
    message: `Upload-Offset is too large (more than ${MAX_SAFE_INTEGER})`,
  },
  ERR_OFFSET_MISMATCH: { status: 409, message: 'Upload-Offset does not match the current offset' },
  ERR_INVALID_CONTENT_TYPE: {
    status: 415,
    message: 'Content-Type must be application/offset+octet-stream',
  },
  ERR_INVALID_METADATA: { status: 400, message: 'Upload-Metadata is malformed' },
  ERR_METADATA_TOO_LARGE: { status: 400, message: 'Upload-Metadata is too large' },
  ERR_BODY_INCOMPLETE: {
    status: 400,
    message: 'request body ended before it was complete; the bytes received were kept',
  },
  ERR_INVALID_CONTENT_LENGTH: { status: 400, message: 'Content-Length is invalid' },
  ERR_CONTENT_LENGTH_TOO_LARGE: {
    status: 413,
    message: `Content-Length is too large (more than ${MAX_SAFE_INTEGER})`,
  },
  ERR_BODY_TIMEOUT: {
    status: 408,
    message: 'request body stalled for too long; the bytes received were kept',
  },
  ERR_INVALID_METHOD_OVERRIDE: { status: 400, message: 'X-HTTP-Method-Override is not supported' },
  ERR_UPLOAD_INTERRUPTED: {
    status: 400,
    message: 'upload was interrupted by a newer request for the same upload',
  },
  ERR_LOCK_TIMEOUT: { status: 423, message: 'upload is locked by another request; retry later' },
  ERR_RANGE_NOT_SATISFIABLE: { status: 416, message: 'Range is outside the stored bytes' },
  ERR_INVALID_CONCAT: { status: 400, message: 'Upload-Concat is malformed' },
  ERR_CONCAT_NOT_SUPPORTED: {
    status: 501,
    message: 'this server does not support upload concatenation',
  },
  ERR_FINAL_LENGTH: {
    status: 400,
    message: 'a final upload takes its length from its parts; send no Upload-Length',
  },
  ERR_PART_NOT_FOUND: { status: 400, message: 'an upload listed in Upload-Concat does not exist' },
  ERR_NOT_PARTIAL: { status: 400, message: 'Upload-Concat may only list partial uploads' },
  ERR_MODIFY_FINAL: { status: 403, message: 'a final upload cannot be modified' },
  ERR_INVALID_UPLOAD_COMPLETE: { status: 400, message: 'Upload-Complete must be ?0 or ?1' },
  ERR_INCONSISTENT_LENGTH: {
    status: 400,
    message: 'inconsistent upload length: Upload-Length, Upload-Complete and the content disagree',
  },
  ERR_UNSUPPORTED_CHECKSUM: {
    status: 400,
    message: 'Upload-Checksum names an algorithm this server does not support',
  },
  ERR_INVALID_CHECKSUM: { status: 400, message: 'Upload-Checksum is malformed' },
  ERR_CHECKSUM_MISMATCH: {
    status: 460,
    message: 'checksum mismatch: the body does not match Upload-Checksum; nothing was stored',
  },
  ERR_INVALID_MULTIPART: { status: 400, message: 'multipart/form-data body is malformed' },
  ERR_NO_FILE: { status: 400, message: 'the form contains no file' },
  ERR_TOO_MANY_FILES: { status: 413, message: 'the form has too many files' },
  ERR_TOO_MANY_FIELDS: { status: 413, message: 'the form has too many fields' },
  ERR_FIELD_TOO_LARGE: { status: 413, message: 'a form field is too long' },
  ERR_MULTIPART_NOT_SUPPORTED: {
    status: 501,
    message: 'form uploads need a store that supports deferred upload lengths',
  },
  ERR_NOT_FOUND: { status: 404, message: 'not found' },
  ERR_REQUEST_ABORTED: { status: 400, message: 'client closed the request' },
  ERR_INTERNAL_SERVER_ERROR: { status: 500, message: 'internal server error' },
} as const satisfies Record<string, { status: number; message: string }>

/** A stable identifier for each error tuskit can answer with. */
export type TusErrorCode = keyof typeof ERRORS

/**
 * An error that becomes an HTTP response: `status`, and the body `<code>: <message>` on one
 * line. Throw it from hooks or stores to answer the client with that status.
 */
export class TusError extends Error {
  /** HTTP status sent to the client. */
  readonly status: number
  /** Stable machine-readable code, listed in the error table of docs/errors.md. */
  readonly code: TusErrorCode | string
  /** Extra response headers (e.g. `Upload-Offset` on a 409). */
  readonly headers: Readonly<Record<string, string>>

  constructor(
    code: TusErrorCode | string,
    status: number,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'TusError'
    this.code = code
    this.status = status
    this.headers = headers
  }
}

/** Builds the `TusError` for a code of the table; `detail` replaces the default reason. */
export function tusError(
  code: TusErrorCode,
  detail?: string,
  headers?: Readonly<Record<string, string>>,
): TusError {
  const { status, message } = ERRORS[code]
  return new TusError(code, status, detail ?? message, headers)
}

export function isTusError(err: unknown): err is TusError {
  return err instanceof TusError
}

/**
 * The text of an error response: the stable code, a colon and the reason, on one line
 * (`ERR_UPLOAD_NOT_FOUND: upload not found`), as tusd writes it, so that clients and log
 * tools can read the code from the first word. Line breaks (from a hook's message) become
 * spaces; an error without a code is its reason alone. Adapters add the final newline.
 */
export function errorText(err: Pick<TusError, 'code' | 'message'>): string {
  return oneLine(err.code === '' ? err.message : `${err.code}: ${err.message}`)
}

/** A reason folded onto one line: hooks and messages may carry CR/LF. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ')
}
