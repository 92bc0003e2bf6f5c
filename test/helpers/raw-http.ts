import { connect, type Socket } from 'node:net'

/**
 * A tiny HTTP/1.1 client over a raw TCP socket, for requests `fetch` refuses to make or
 * silently normalises: lying Content-Length, unnormalised paths (`/files/../x`, `%2e%2e`),
 * backslashes and NUL bytes, oversized headers, repeated headers, hand-made chunked bodies.
 * `openRawRequest` keeps the request open instead, for dead clients and servers killed
 * mid-body.
 */

/** One parsed response, or as much of it as arrived before the connection closed. */
export interface RawResponse {
  /** The status code, or 0 when no status line arrived. */
  status: number
  /** The status line as sent, e.g. `HTTP/1.1 404 Not Found`. */
  statusLine: string
  /** Lower-cased header names; repeated headers keep every value. */
  headers: Record<string, string[]>
  /** The body of the first response (empty for HEAD). */
  body: Buffer
  /** Every byte the server sent. */
  raw: Buffer
  /** Whether the server closed the connection (as opposed to our timeout). */
  closed: boolean
}

/** Header list; an array of pairs keeps order and allows repeated or odd-cased names. */
export type RawHeaders = ReadonlyArray<readonly [string, string]>

export interface RawRequestOptions {
  /** Give up waiting for the server after this many ms. Default 3000. */
  timeoutMs?: number
  /** The request was a HEAD: its response has no body whatever Content-Length says. */
  head?: boolean
  /**
   * Half-close the socket after writing (default false). Node answers a request whose body
   * was cut short by the close only if the response is ready first.
   */
  end?: boolean
}

/** Serialises a request head. The path is written exactly as given. */
export function requestHead(method: string, path: string, headers: RawHeaders): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\n`
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`
  return Buffer.from(`${head}\r\n`, 'latin1')
}

/**
 * Encodes `parts` as a chunked body (empty parts are skipped), terminating chunk included,
 * followed by the given trailer lines.
 */
export function chunked(parts: ReadonlyArray<Buffer | string>, trailers: RawHeaders = []): Buffer {
  const out: Buffer[] = []
  for (const part of parts) {
    const b = typeof part === 'string' ? Buffer.from(part) : part
    if (b.length === 0) continue
    out.push(Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n'))
  }
  let tail = '0\r\n'
  for (const [name, value] of trailers) tail += `${name}: ${value}\r\n`
  out.push(Buffer.from(`${tail}\r\n`, 'latin1'))
  return Buffer.concat(out)
}

/** A response head: the status line and its headers. */
export interface ResponseHead {
  /** The status code, or 0 when the status line is not `HTTP/1.x nnn …`. */
  status: number
  statusLine: string
  /** Lower-cased header names; repeated headers keep every value, in order. */
  headers: Record<string, string[]>
}

/**
 * Parses a response head given as text: the status line, then header lines, separated by
 * CRLF (the blank line that ends the head not included). Lines without a name are skipped.
 */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n')
  const statusLine = lines[0] ?? ''
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  const headers: Record<string, string[]> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    ;(headers[name] ??= []).push(line.slice(colon + 1).trim())
  }
  return { status: match ? Number(match[1]) : 0, statusLine, headers }
}

/** Parses the first response in `raw` (tolerates a truncated one). */
export function parseResponse(raw: Buffer, head = false, closed = true): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  const { status, statusLine, headers } = parseHead(
    (end === -1 ? raw : raw.subarray(0, end)).toString('latin1'),
  )
  let body: Buffer = Buffer.alloc(0)
  if (end !== -1 && !head) {
    const rest = raw.subarray(end + 4)
    const length = headers['content-length']?.[0]
    body = length === undefined ? rest : rest.subarray(0, Number(length))
  }
  return { status, statusLine, headers, body, raw, closed }
}

/** The first value of a header of a raw response. */
export function header(res: RawResponse, name: string): string | undefined {
  return res.headers[name.toLowerCase()]?.[0]
}

/**
 * Writes `data` (a whole request, or several) to a fresh connection and collects everything
 * the server sends until it closes the connection or `timeoutMs` passes. Send
 * `Connection: close` to have the server close after its response.
 */
export function rawRequest(
  port: number,
  data: Buffer | ReadonlyArray<Buffer>,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const { timeoutMs = 3000, head = false, end = false } = options
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    const received: Buffer[] = []
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(parseResponse(Buffer.concat(received), head, closed))
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    // A reset after the server answered early is fine: keep what was received.
    socket.on('error', () => finish(true))
    socket.on('connect', () => {
      for (const part of Array.isArray(data) ? data : [data]) socket.write(part)
      if (end) socket.end()
    })
  })
}

/** Writes `data` to `socket`; resolves once it is flushed to the kernel, rejects on error. */
export function writeAll(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(data, (err) => (err ? reject(err) : resolve())),
  )
}

/** Opens a connection and resolves once it is established, for hand-driven requests. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** A response read by `openRawRequest`: a repeated header keeps its last value. */
export interface SocketResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * One HTTP/1.1 request written by hand on its own socket, so a test controls exactly which
 * body bytes are sent, can stop sending with the socket still open (a dead client), or can
 * keep writing while the server is killed.
 */
export interface RawRequest {
  socket: Socket
  /** Bytes of body written to the socket so far (accepted by the kernel or queued). */
  sent: number
  /** Writes body bytes; resolves once the socket can take more (backpressure honoured). */
  write(chunk: Buffer): Promise<void>
  /** The first response on the socket; rejects if the socket closes first. Never unhandled. */
  response: Promise<SocketResponse>
  /** Resolves when the socket has closed, for any reason. */
  closed: Promise<void>
  destroy(): void
}

export async function openRawRequest(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
): Promise<RawRequest> {
  const { hostname, port } = new URL(origin)
  const socket = connect({ host: hostname, port: Number(port) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', () => undefined) // surfaced through `response`/`closed`
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const response = readResponse(socket)
  response.catch(() => undefined)
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
  socket.write(`${head}\r\n`)
  const raw: RawRequest = {
    socket,
    sent: 0,
    async write(chunk) {
      if (socket.destroyed) throw new Error('socket is closed')
      raw.sent += chunk.length
      if (!socket.write(chunk)) {
        await Promise.race([
          new Promise<void>((resolve) => socket.once('drain', resolve)),
          closed.then(() => {
            throw new Error('socket closed while writing')
          }),
        ])
      }
    },
    response,
    closed,
    destroy() {
      socket.destroy()
    },
  }
  return raw
}

function readResponse(socket: Socket): Promise<SocketResponse> {
  return new Promise<SocketResponse>((resolve, reject) => {
    let buf = Buffer.alloc(0)
    let parsed: { status: number; headers: Record<string, string>; bodyStart: number } | undefined
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk])
      if (parsed === undefined) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = parseHead(buf.subarray(0, end).toString('latin1'))
        // A repeated header keeps its last value.
        const headers: Record<string, string> = {}
        for (const [name, values] of Object.entries(head.headers)) headers[name] = values.at(-1)!
        parsed = { status: head.status, headers, bodyStart: end + 4 }
      }
      const length = Number(parsed.headers['content-length'] ?? 0)
      if (buf.length - parsed.bodyStart >= length) {
        socket.off('data', onData)
        socket.off('close', onClose)
        const body = buf.subarray(parsed.bodyStart, parsed.bodyStart + length).toString('utf8')
        resolve({ status: parsed.status, headers: parsed.headers, body })
      }
    }
    const onClose = (): void => reject(new Error('socket closed before a full response'))
    socket.on('data', onData)
    socket.once('close', onClose)
  })
}
