import { connect, type Socket } from 'node:net'

/**
 * A tiny raw HTTP/1.1 client for the lifecycle suite: one request per connection, with the
 * body framed by Content-Length or sent as chunks the test controls, so a test can stop
 * before the final 0-chunk, cut the connection, or stall. It skips interim (1xx) responses
 * and reads the final one, whatever its framing. Kept apart from the shared raw-http helpers
 * on purpose: this suite pins down behaviour and should not move when they do.
 */

export type Headers = ReadonlyArray<readonly [string, string]>

/** What to send, minus the body and its framing. */
export interface Plan {
  readonly method: string
  readonly path: string
  readonly headers: Headers
}

export interface WireResponse {
  readonly status: number
  /** Lower-case names; repeated fields joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  /** Statuses of the interim responses that came first (the draft's 104). */
  readonly interim: readonly number[]
}

/** Longest a test waits for anything the server should do at once (hang detection only). */
export const PROMPT_MS = 5000

/** Resolves like `promise`, or rejects after `ms` naming `what` (a hang, not a slow answer). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function head(plan: Plan, framing: Headers): Buffer {
  let text = `${plan.method} ${plan.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`
  for (const [name, value] of [...plan.headers, ...framing]) text += `${name}: ${value}\r\n`
  return Buffer.from(`${text}\r\n`, 'latin1')
}

/** One chunk of a chunked body. */
export function chunk(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data)
  return Buffer.concat([
    Buffer.from(`${bytes.length.toString(16)}\r\n`),
    bytes,
    Buffer.from('\r\n'),
  ])
}

/** The final 0-chunk that ends a chunked body. */
export const LAST_CHUNK = Buffer.from('0\r\n\r\n')

/** A request in flight on its own connection. */
export class Exchange {
  readonly socket: Socket
  /** The final response; rejects if the connection ends before one is complete. */
  readonly response: Promise<WireResponse>

  constructor(port: number, plan: Plan, framing: Headers) {
    this.socket = connect(port, '127.0.0.1')
    this.socket.write(head(plan, framing))
    this.response = readResponse(this.socket, plan.method === 'HEAD')
    this.response.catch(() => undefined) // a cut test never reads it
  }

  /** Sends raw bytes (already framed). */
  send(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve())),
    )
  }

  /** Closes the connection at once, whatever is in flight. */
  cut(): void {
    this.socket.destroy()
  }
}

/** Starts a chunked request: the body follows through `send(chunk(...))`. */
export function openChunked(port: number, plan: Plan): Exchange {
  return new Exchange(port, plan, [['Transfer-Encoding', 'chunked']])
}

/** Starts a request declaring `Content-Length: length`; the body may follow through `send`. */
export function openWithLength(port: number, plan: Plan, length: number): Exchange {
  return new Exchange(port, plan, [['Content-Length', String(length)]])
}

/** Sends a whole request with a Content-Length body and reads the answer. */
export async function exchange(
  port: number,
  plan: Plan,
  body: Buffer | string = '',
): Promise<WireResponse> {
  const bytes = Buffer.from(body)
  const x = openWithLength(port, plan, bytes.length)
  try {
    if (bytes.length > 0) await x.send(bytes)
    return await within(x.response, PROMPT_MS, `answer to ${plan.method} ${plan.path}`)
  } finally {
    x.cut()
  }
}

/** Sends a whole chunked request (every chunk, then the 0-chunk) and reads the answer. */
export async function exchangeChunked(
  port: number,
  plan: Plan,
  chunks: ReadonlyArray<Buffer | string>,
): Promise<WireResponse> {
  const x = openChunked(port, plan)
  try {
    await x.send(Buffer.concat([...chunks.map(chunk), LAST_CHUNK]))
    return await within(x.response, PROMPT_MS, `answer to ${plan.method} ${plan.path}`)
  } finally {
    x.cut()
  }
}

interface Parsed {
  status: number
  headers: Record<string, string>
  /** Bytes the head took, blank line included. */
  size: number
}

function parseHead(buf: Buffer): Parsed | undefined {
  const end = buf.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return { status, headers, size: end + 4 }
}

/** A complete chunked body at the start of `buf`, or `undefined` while more is needed. */
function parseChunked(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', at)
    if (eol === -1) return undefined
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16)
    if (size === 0) return Buffer.concat(parts) // trailers are not needed here
    if (buf.length < eol + 2 + size + 2) return undefined
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

function readResponse(socket: Socket, isHead: boolean): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    const interim: number[] = []
    let ended = false
    const tryParse = (): boolean => {
      for (;;) {
        const parsed = parseHead(buf)
        if (parsed === undefined) return false
        const { status, headers, size } = parsed
        if (status >= 100 && status < 200) {
          interim.push(status)
          buf = buf.subarray(size)
          continue
        }
        const rest = buf.subarray(size)
        let body: Buffer | undefined
        if (isHead || status === 204 || status === 304) body = Buffer.alloc(0)
        else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
          body = parseChunked(rest)
        } else if (headers['content-length'] !== undefined) {
          const n = Number(headers['content-length'])
          body = rest.length >= n ? rest.subarray(0, n) : undefined
        } else if (ended) body = rest
        if (body === undefined) return false
        resolve({ status, headers, body, interim })
        return true
      }
    }
    socket.on('data', (data: Buffer) => {
      buf = Buffer.concat([buf, data])
      tryParse()
    })
    const onEnd = (err?: Error): void => {
      ended = true
      if (!tryParse()) reject(err ?? new Error('connection closed before a complete response'))
    }
    socket.on('end', () => onEnd())
    socket.on('error', (err) => onEnd(err))
    socket.on('close', () => onEnd())
  })
}
