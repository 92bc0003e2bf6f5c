import { Readable } from 'node:stream'
import { TusError } from '../protocol/errors.js'
import type { TusResponse } from '../handler/types.js'
import { oneLine } from '../handler/response-headers.js'

/**
 * Problem details (RFC 9457) for the two problem types the draft registers. Other errors of
 * a draft request keep tuskit's one-line `text/plain` reason, as on the tus side.
 */

const PROBLEM_BASE = 'https://iana.org/assignments/http-problem-types#'

export type ProblemType = 'mismatching-upload-offset' | 'inconsistent-upload-length'

const TITLES: Readonly<Record<ProblemType, string>> = {
  'mismatching-upload-offset': 'offset from request does not match offset of resource',
  'inconsistent-upload-length': 'inconsistent length values for upload',
}

/** A `TusError` that a draft request is answered with as `application/problem+json`. */
export class ProblemError extends TusError {
  /** The problem object (`type`, `title`, `detail`, extension members). */
  readonly problem: Readonly<Record<string, string | number>>

  constructor(
    code: string,
    status: number,
    message: string,
    headers: Readonly<Record<string, string>>,
    problem: Readonly<Record<string, string | number>>,
  ) {
    super(code, status, message, headers)
    this.name = 'TusError'
    this.problem = problem
  }

  /** The same error with more response headers. */
  withHeaders(headers: Readonly<Record<string, string>>): ProblemError {
    return new ProblemError(
      this.code,
      this.status,
      this.message,
      { ...this.headers, ...headers },
      this.problem,
    )
  }
}

/** Gives `base` a draft problem type, with extension `members` and extra `headers`. */
export function problemError(
  base: TusError,
  type: ProblemType,
  members: Readonly<Record<string, number>> = {},
  headers: Readonly<Record<string, string>> = {},
): ProblemError {
  return new ProblemError(
    base.code,
    base.status,
    base.message,
    { ...base.headers, ...headers },
    { type: PROBLEM_BASE + type, title: TITLES[type], detail: base.message, ...members },
  )
}

/**
 * Turns the error response of a draft request into a problem+json response when the error
 * has a problem type and `onResponseError` did not replace it. The body is a stream so that
 * every adapter writes it as is (they give plain string bodies a `text/plain` type).
 */
export function problemResponse(err: TusError, response: TusResponse): TusResponse {
  if (!(err instanceof ProblemError)) return response
  if (response.status !== err.status || response.body !== oneLine(err.message)) return response
  const json = Buffer.from(JSON.stringify({ ...err.problem, status: err.status }))
  return {
    status: response.status,
    headers: {
      ...response.headers,
      'Content-Type': 'application/problem+json',
      'Content-Length': String(json.length),
    },
    body: Readable.from([json]),
  }
}

/** `err` with more response headers, keeping its problem type if it has one. */
export function addHeaders(err: TusError, headers: Readonly<Record<string, string>>): TusError {
  if (err instanceof ProblemError) return err.withHeaders(headers)
  return new TusError(err.code, err.status, err.message, { ...err.headers, ...headers })
}
