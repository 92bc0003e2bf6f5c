import { Readable } from 'node:stream'
import { TusError } from '../../model/errors.js'
import type { TusResponse } from '../../context/request.js'

/**
 * Problem details (RFC 9457) for the two problem types the draft registers. Other errors of
 * a draft request keep tuskit's one-line `text/plain` body (`<code>: <reason>`), as on the tus
 * side.
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
 * The problem+json response of a draft request's error with a problem type. Besides the
 * members the draft defines, the document carries the error's stable `code` (an extension
 * member, which RFC 9457 clients ignore unless they know it), as text bodies carry it first.
 * The body is a stream so that every adapter writes it as is (they give plain string bodies a
 * `text/plain` type).
 */
export function problemResponse(
  err: ProblemError,
  headers: Readonly<Record<string, string>>,
): TusResponse {
  const json = Buffer.from(JSON.stringify({ ...err.problem, code: err.code, status: err.status }))
  return {
    status: err.status,
    headers: {
      ...headers,
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
