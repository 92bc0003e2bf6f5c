/**
 * Whether a response can be sent as it is, checked once before anything of it is written.
 * Node's `writeHead` throws on a header or status it refuses, and so do the fetch API's
 * `Headers` and `Response`; thrown at that point, after the request was handled, it would end
 * a Node process (an unhandled rejection) or leave the request unanswered. Hooks, info files
 * and the app's URLs all put values into headers, so none is trusted to be sendable.
 *
 * The rules are the stricter of the two runtimes, Node's: a name is an RFC 9110 token; a
 * value is a string of tabs, visible ASCII, spaces and Latin-1 bytes (`obs-text`), so no CR,
 * LF or other control character and nothing above U+00FF; a final status is an integer from
 * 200 to 599 (what a fetch `Response` takes).
 */

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Why the header `name: value` cannot be sent, or `undefined` if it can. The reason names the
 * offending character by code point, never the value itself (it may hold a user's data).
 */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (!TOKEN.test(name)) return `its name is not an HTTP token`
  if (typeof value !== 'string') {
    return `its value is ${value === null ? 'null' : typeof value}, not a string`
  }
  if (FIELD_VALUE.test(value)) return undefined
  const char = NOT_FIELD_VALUE.exec(value)?.[0] ?? ''
  const code = char.codePointAt(0) ?? 0
  const point = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return code > 0xff ? `its value holds ${point}, outside Latin-1` : `its value holds ${point}`
}

/** A header name as a message shows it: quoted when it is no token (it may hold a CR/LF). */
export function shown(name: string): string {
  return TOKEN.test(name) ? name : JSON.stringify(name)
}

/** Why `status` cannot be a final response's status, or `undefined` if it can. */
export function statusProblem(status: unknown): string | undefined {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599) {
    return undefined
  }
  return `${typeof status === 'number' ? status : typeof status} is not an integer from 200 to 599`
}

/** Why a final response with this status and these headers cannot be sent, or `undefined`. */
export function responseProblem(
  status: unknown,
  headers: Readonly<Record<string, unknown>>,
): string | undefined {
  const bad = statusProblem(status)
  if (bad !== undefined) return `the response status ${bad}`
  for (const name in headers) {
    const problem = headerProblem(name, headers[name])
    if (problem !== undefined)
      return `the response header ${shown(name)} cannot be sent: ${problem}`
  }
  return undefined
}
