import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { headerProblem, shown } from '../../protocol/sendable.js'

/** Reason phrases Node does not know. */
const INTERIM_TEXT: Readonly<Record<number, string>> = { 104: 'Upload Resumption Supported' }

/** Node internals used to write raw bytes in order with the response (not typed). */
interface RawResponse {
  _writeRaw?: (data: string, encoding: BufferEncoding) => boolean
  _expect_continue?: boolean
  _sent100?: boolean
}

/**
 * Sends an interim (1xx) response on HTTP/1.1 before the final one, for the statuses Node has
 * no call for (it has `writeContinue` for 100, `writeProcessing` for 102, `writeEarlyHints` for
 * 103): the IETF draft's `104 Upload Resumption Supported`.
 *
 * The block is a status line, the headers and an empty line, with no `Content-Length` or
 * `Transfer-Encoding`: it frames no body, so the final response follows on the same
 * connection and keep-alive is unaffected. It is written through the response's own raw
 * output (as `writeEarlyHints` does), so with pipelined requests it waits behind the previous
 * response instead of interleaving with it. A request that expects `100-continue` and has not
 * had it yet (an app handling `checkContinue`) gets its `100 Continue` first: an interim
 * response must never stand in for it. Nothing is sent once the final response has started,
 * to HTTP/1.0 clients (they do not know 1xx responses) or over HTTP/2 (the compatibility API
 * has no raw output); interim responses are optional, so that is safe. A header that cannot
 * be sent (protocol/sendable.ts) throws before anything is written: the request fails, as the
 * final response carrying the same header would.
 */
export function writeInterim(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
): void {
  if (!Number.isInteger(status) || status < 100 || status > 199 || status === 101) {
    throw new RangeError(`tuskit: ${status} is not an interim status`)
  }
  if (res.headersSent || res.writableEnded || res.destroyed) return
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return
  const raw = res as unknown as RawResponse
  if (typeof raw._writeRaw !== 'function') return
  let head = `HTTP/1.1 ${status} ${INTERIM_TEXT[status] ?? STATUS_CODES[status] ?? 'Informational'}\r\n`
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerProblem(name, value)
    if (problem !== undefined) {
      throw new TypeError(
        `tuskit: the interim response header ${shown(name)} cannot be sent: ${problem}`,
      )
    }
    head += `${name}: ${value}\r\n`
  }
  if (raw._expect_continue === true && raw._sent100 !== true) res.writeContinue()
  raw._writeRaw.call(res, `${head}\r\n`, 'latin1')
}
