import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { parseHead } from '../helpers/raw-http.js'
import type { TestServer } from '../helpers/server.js'

/**
 * A raw HTTP/1.1 client for the IETF draft tests that understands interim (1xx) responses:
 * it reads every interim block before the final response, and several final responses on one
 * keep-alive connection, keeping the exact bytes of each.
 */

export interface Block {
  status: number
  statusLine: string
  /** Lower-cased names; repeated headers keep every value. */
  headers: Record<string, string[]>
  /** The exact bytes of the head block, blank line included. */
  head: Buffer
}

export interface FinalResponse extends Block {
  /** Interim responses that came before this one. */
  interims: Block[]
  body: Buffer
}

export interface Exchange {
  responses: FinalResponse[]
  /** Every byte the server sent. */
  raw: Buffer
  /** Whether the server closed the connection. */
  closed: boolean
}

export type Headers = ReadonlyArray<readonly [string, string | number]>

/** Serialises one request; `body` gets a Content-Length unless the headers frame it. */
export function request(
  method: string,
  path: string,
  headers: Headers,
  body?: Buffer | string,
): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
  const names = new Set(headers.map(([n]) => n.toLowerCase()))
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`
  const bytes = body === undefined ? undefined : Buffer.from(body)
  if (bytes !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) {
    head += `Content-Length: ${bytes.length}\r\n`
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes ?? Buffer.alloc(0)])
}

/** One head block, `bytes` ending with its blank line. */
function parseBlock(bytes: Buffer): Block {
  return { ...parseHead(bytes.subarray(0, bytes.length - 4).toString('latin1')), head: bytes }
}

/**
 * Parses `raw` into final responses (with their interims). `methods` are the request methods
 * in order, to know which responses have no body (HEAD). Returns those complete so far.
 */
export function parseExchange(raw: Buffer, methods: readonly string[]): FinalResponse[] {
  const out: FinalResponse[] = []
  let pos = 0
  let interims: Block[] = []
  while (pos < raw.length) {
    const end = raw.indexOf('\r\n\r\n', pos)
    if (end === -1) break
    const block = parseBlock(raw.subarray(pos, end + 4))
    if (block.status >= 100 && block.status < 200) {
      interims.push(block)
      pos = end + 4
      continue
    }
    const method = methods[out.length] ?? 'GET'
    const noBody = method === 'HEAD' || block.status === 204 || block.status === 304
    const chunked = !noBody && block.headers['transfer-encoding']?.[0] === 'chunked'
    const body = chunked
      ? dechunk(raw, end + 4)
      : readLength(raw, end + 4, noBody ? 0 : Number(block.headers['content-length']?.[0] ?? 0))
    if (body === undefined) break
    out.push({ ...block, interims, body: body.body })
    interims = []
    pos = body.end
  }
  return out
}

function readLength(
  raw: Buffer,
  start: number,
  length: number,
): { body: Buffer; end: number } | undefined {
  if (raw.length < start + length) return undefined
  return { body: raw.subarray(start, start + length), end: start + length }
}

/** A chunked body starting at `start` (no trailers), or `undefined` while incomplete. */
function dechunk(raw: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = []
  let pos = start
  for (;;) {
    const eol = raw.indexOf('\r\n', pos)
    if (eol === -1) return undefined
    const size = parseInt(raw.subarray(pos, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) throw new Error('bad chunk size')
    if (size === 0) {
      if (raw.length < eol + 4) return undefined
      return { body: Buffer.concat(parts), end: eol + 4 }
    }
    if (raw.length < eol + 2 + size + 2) return undefined
    parts.push(raw.subarray(eol + 2, eol + 2 + size))
    pos = eol + 2 + size + 2
  }
}

/**
 * Writes `requests` (each a Buffer, or a function writing to the socket itself) to one fresh
 * connection, one after the other once the previous final response arrived, and resolves
 * with every response once all `requests` are answered, the server closes, or `timeoutMs`
 * passes.
 */
export function exchange(
  port: number,
  requests: ReadonlyArray<{ method: string; data: Buffer }>,
  timeoutMs = 5000,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    const chunks: Buffer[] = []
    const methods = requests.map((r) => r.method)
    let sent = 0
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const raw = Buffer.concat(chunks)
      resolve({ responses: parseExchange(raw, methods), raw, closed })
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    const sendNext = (): void => {
      const next = requests[sent++]
      if (next !== undefined) socket.write(next.data)
    }
    socket.on('connect', sendNext)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      const answered = parseExchange(Buffer.concat(chunks), methods).length
      if (answered >= requests.length) finish(false)
      else if (answered === sent) sendNext()
    })
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
  })
}

/** One request on its own connection; its final response. */
export async function send(
  port: number,
  method: string,
  path: string,
  headers: Headers,
  body?: Buffer | string,
  timeoutMs = 5000,
): Promise<FinalResponse> {
  const ex = await exchange(
    port,
    [{ method, data: request(method, path, headers, body) }],
    timeoutMs,
  )
  const res = ex.responses[0]
  if (res === undefined) {
    throw new Error(
      `no response to ${method} ${path}: ${JSON.stringify(ex.raw.toString('latin1'))}`,
    )
  }
  return res
}

/** The first value of a header. */
export function h(res: Block, name: string): string | undefined {
  return res.headers[name.toLowerCase()]?.[0]
}

/** The problem object of an `application/problem+json` response. */
export function problemOf(res: FinalResponse): Record<string, unknown> {
  if (h(res, 'content-type') !== 'application/problem+json') {
    throw new Error(`not a problem response: ${res.statusLine} ${h(res, 'content-type')}`)
  }
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>
}

export const PROBLEM = 'https://iana.org/assignments/http-problem-types#'

/** The interop-8 header. */
export const V8: ReadonlyArray<readonly [string, string]> = [['Upload-Draft-Interop-Version', '8']]

export function portOf(s: TestServer): number {
  return Number(new URL(s.origin).port)
}

export function idOf(res: FinalResponse): string {
  const location = h(res, 'location')
  assert.ok(location, 'Location')
  return location.slice(location.lastIndexOf('/') + 1)
}
