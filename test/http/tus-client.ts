import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ERRORS, type TusErrorCode } from '../../src/model/errors.js'
import { storedBytes } from '../helpers/files.js'
import type { TestServer } from '../helpers/server.js'
import {
  chunked,
  rawRequest,
  requestHead,
  type RawHeaders,
  type RawResponse,
} from '../helpers/raw-http.js'

/** Shared fetch-based helpers for the black-box HTTP suites. */

export const OCTET = 'application/offset+octet-stream'
export const TUS = { 'Tus-Resumable': '1.0.0' } as const
export const EXTENSIONS =
  'creation,creation-with-upload,creation-defer-length,checksum,checksum-trailer,termination,concatenation,concatenation-unfinished'

/** An `Upload-Metadata` value: each field's key and its value in base64. */
export function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')
}

/** The port a test server listens on. */
export function portOf(s: TestServer): number {
  return Number(new URL(s.origin).port)
}

/** The id at the end of an upload URL. */
export function idOf(location: string): string {
  const id = location.slice(location.lastIndexOf('/') + 1)
  assert.match(id, /^[A-Za-z0-9_-]{22,}$/)
  return id
}

/** Creates an upload (default `Upload-Length: 11`) and returns its absolute URL and id. */
export async function create(
  s: TestServer,
  headers: Record<string, string> = { 'Upload-Length': '11' },
): Promise<{ url: string; id: string }> {
  const res = await fetch(s.endpoint, { method: 'POST', headers: { ...TUS, ...headers } })
  assert.equal(res.status, 201, await res.text())
  const location = res.headers.get('location')
  assert.ok(location, 'Location header')
  const url = new URL(location, s.origin).href
  return { url, id: idOf(url) }
}

/**
 * The head of a raw PATCH announcing `length` body bytes (Host, Tus-Resumable, Content-Type,
 * Upload-Offset, Content-Length, then `extra`), for tests that write the body by hand.
 */
export function patchHead(
  port: number,
  id: string,
  offset: number,
  length: number | string,
  extra: RawHeaders = [],
): Buffer {
  return requestHead('PATCH', `/files/${id}`, [
    ['Host', `127.0.0.1:${port}`],
    ['Tus-Resumable', '1.0.0'],
    ['Content-Type', OCTET],
    ['Upload-Offset', String(offset)],
    ['Content-Length', String(length)],
    ...extra,
  ])
}

/**
 * A raw PATCH with a hand-made chunked body (no Content-Length): `extra` headers (e.g.
 * `Trailer`) go before `Connection: close`, `trailers` after the last chunk.
 */
export function chunkedPatch(
  s: TestServer,
  id: string,
  offset: number,
  parts: ReadonlyArray<string | Buffer>,
  extra: RawHeaders = [],
  trailers: RawHeaders = [],
): Promise<RawResponse> {
  const port = portOf(s)
  const headers: RawHeaders = [
    ['Host', `127.0.0.1:${port}`],
    ['Tus-Resumable', '1.0.0'],
    ['Content-Type', OCTET],
    ['Upload-Offset', String(offset)],
    ['Transfer-Encoding', 'chunked'],
    ...extra,
    ['Connection', 'close'],
  ]
  return rawRequest(port, [requestHead('PATCH', `/files/${id}`, headers), chunked(parts, trailers)])
}

export function head(url: string, headers: Record<string, string> = { ...TUS }): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers })
}

/** A PATCH with the right Content-Type and `Upload-Offset`, plus `extra` headers. */
export function patch(
  url: string,
  offset: number | string,
  body: string | Uint8Array,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, 'Content-Type': OCTET, 'Upload-Offset': String(offset), ...extra },
    body,
  })
}

/** `Upload-Offset` of an upload, via HEAD (asserts the HEAD succeeded). */
export async function offsetOf(url: string): Promise<number> {
  const res = await head(url)
  assert.equal(res.status, 200)
  const offset = res.headers.get('upload-offset')
  assert.ok(offset !== null, 'Upload-Offset on HEAD')
  return Number(offset)
}

/**
 * The bytes stored for an upload: the FileStore data file `<directory>/<id>`, empty while
 * that file does not exist (the store creates it with the first byte).
 */
export function dataOf(s: TestServer, id: string): Promise<Buffer> {
  return storedBytes(join(s.directory, id))
}

/** Entries of the store folder, sorted. */
export async function storeFiles(s: TestServer): Promise<string[]> {
  return (await readdir(s.directory)).sort()
}

/**
 * Asserts an error response: `status`, `Tus-Resumable: 1.0.0`, a `text/plain` one-line body
 * (HEAD responses carry no body). Returns the body's line.
 */
export async function assertTusError(
  res: Response,
  status: number,
  method = 'GET',
): Promise<string> {
  const text = await res.text()
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`)
  assert.equal(res.headers.get('tus-resumable'), '1.0.0', 'Tus-Resumable on error response')
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b/)
  if (method === 'HEAD') {
    assert.equal(text, '')
    return ''
  }
  assertOneLine(text, status)
  return text.slice(0, -1)
}

/** Same checks for a response read from a raw socket. */
export function assertRawTusError(res: RawResponse, status: number, isHead = false): string {
  assert.equal(res.status, status, `expected ${status}, got: ${res.statusLine}`)
  assert.equal(res.headers['tus-resumable']?.[0], '1.0.0', 'Tus-Resumable on error response')
  assert.match(res.headers['content-type']?.[0] ?? '', /^text\/plain\b/)
  if (isHead) return ''
  const text = res.body.toString('utf8')
  assertOneLine(text, status)
  return text.slice(0, -1)
}

function assertOneLine(text: string, status: number): void {
  assert.ok(text.endsWith('\n'), `body ends with a newline: ${JSON.stringify(text)}`)
  const line = text.slice(0, -1)
  assert.ok(line.length > 0, 'body is not empty')
  assert.ok(!/[\r\n]/.test(line), `body is one line: ${JSON.stringify(text)}`)
  assertCodeFirst(line, status)
}

/**
 * An error body starts with its stable code (`ERR_UPLOAD_NOT_FOUND: upload not found`); a
 * code of tuskit's table comes with the table's status (a hook's ERR_REFUSED with its own).
 */
export function assertCodeFirst(line: string, status: number): string {
  const match = /^([A-Z][A-Z0-9_]*): \S/.exec(line)
  assert.ok(match, `body starts with a code: ${JSON.stringify(line)}`)
  const code = match[1] ?? ''
  if (Object.hasOwn(ERRORS, code) && code !== 'ERR_REFUSED') {
    assert.equal(status, ERRORS[code as TusErrorCode].status, `status of ${code}`)
  }
  return code
}
