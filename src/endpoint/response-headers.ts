import { errorText, tusError, type TusErrorCode } from '../model/errors.js'
import { TUS_VERSION } from '../protocol/constants.js'
import type { TusResponse } from '../context/request.js'

/** Headers every response carries. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Tus-Resumable': TUS_VERSION,
  'X-Content-Type-Options': 'nosniff',
}

const DRAFT_COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
}

/** The common headers of one response: those of the IETF draft carry no `Tus-Resumable`. */
export function commonHeaders(response: TusResponse): Readonly<Record<string, string>> {
  return response.dialect === 'ietf-draft' ? DRAFT_COMMON_HEADERS : COMMON_HEADERS
}

// Reason phrases Node and the fetch API do not know.
const STATUS_TEXT: Readonly<Record<number, string>> = { 460: 'Checksum Mismatch' }

/** The reason phrase of `status` when the runtime does not know it, else `undefined`. */
export function statusText(status: number): string | undefined {
  return STATUS_TEXT[status]
}

/**
 * The headers a core response goes out with, in every adapter: the common ones
 * (`Tus-Resumable`, `nosniff`), the response's own, and for a text body its type and length.
 */
export function responseHeaders(response: TusResponse): Record<string, string> {
  const headers: Record<string, string> = { ...commonHeaders(response), ...response.headers }
  if (typeof response.body === 'string') {
    headers['Content-Type'] = 'text/plain; charset=utf-8'
    headers['Content-Length'] = String(Buffer.byteLength(textBody(response.body)))
  }
  return headers
}

/** A text body as sent: its one line and a newline. */
export function textBody(body: string): string {
  return `${body}\n`
}

/** The response for an error of the table that no request handling produced (404, 500). */
export function tableErrorResponse(code: TusErrorCode): TusResponse {
  const err = tusError(code)
  return { status: err.status, headers: {}, body: errorText(err) }
}
