// A minimal HTTP/1.1 client over raw `net` sockets: keep-alive, one request at a time per
// connection, bodies written as lists of buffers with backpressure. No fetch or undici, so the
// client costs next to nothing per request and per byte.
import net from 'node:net'

const CRLF_CRLF = Buffer.from('\r\n\r\n')

export class Connection {
  /** @param {{ host: string, port: number, idleTimeoutMs: number }} options */
  constructor(options) {
    this.options = options
    this.socket = undefined
    this.pending = undefined // { resolve, reject, method, start }
    this.buf = Buffer.alloc(0)
    this.res = undefined // response being parsed
  }

  async connect() {
    const { host, port, idleTimeoutMs } = this.options
    await new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true })
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve()
      })
      socket.once('error', reject)
      this.socket = socket
    })
    const socket = this.socket
    this.buf = Buffer.alloc(0)
    this.res = undefined
    socket.setTimeout(idleTimeoutMs, () =>
      socket.destroy(new Error(`socket idle for ${idleTimeoutMs} ms`)),
    )
    socket.on('data', (chunk) => this.onData(chunk))
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined
      this.fail(new Error('connection closed before the response was complete'))
    })
  }

  close() {
    this.socket?.destroy()
    this.socket = undefined
  }

  fail(err) {
    const p = this.pending
    if (p === undefined) return
    this.pending = undefined
    p.reject(err)
  }

  /**
   * Sends a request and resolves with `{ status, headers, body, ms }` once the whole response
   * is in. `body` is an iterable of buffer lists (see data.mjs) with `length` bytes in all.
   */
  async request(method, path, headers, length = 0, body = undefined) {
    if (this.socket === undefined || this.socket.destroyed) await this.connect()
    const socket = this.socket
    const start = process.hrtime.bigint()
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.options.host}:${this.options.port}\r\n`
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
    if (length > 0 || method === 'PATCH' || method === 'POST')
      head += `Content-Length: ${length}\r\n`
    head += '\r\n'
    const done = new Promise((resolve, reject) => {
      this.pending = { resolve, reject, method, start }
    })
    // A failure while writing shows up as the response promise rejecting.
    done.catch(() => {})
    socket.write(head)
    let sentAll = true
    if (body !== undefined) {
      for (const parts of body) {
        if (socket.destroyed || this.pending === undefined) {
          sentAll = false // answered early or failed: this connection is done
          break
        }
        socket.cork()
        let ok = true
        for (const p of parts) ok = socket.write(p)
        socket.uncork()
        if (!ok && !socket.destroyed) {
          await new Promise((resolve) => {
            const go = () => {
              socket.off('drain', go)
              socket.off('close', go)
              resolve()
            }
            socket.on('drain', go)
            socket.on('close', go)
          })
        }
      }
    }
    const res = await done
    if (!sentAll || res.close) this.close()
    return res
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    for (;;) {
      if (this.res === undefined) {
        const end = this.buf.indexOf(CRLF_CRLF)
        if (end < 0) return
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n')
        this.buf = this.buf.subarray(end + 4)
        const status = Number(lines[0].split(' ')[1])
        const headers = {}
        for (let i = 1; i < lines.length; i++) {
          const c = lines[i].indexOf(':')
          headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim()
        }
        if (status >= 100 && status < 200) continue // 100 Continue and friends
        const method = this.pending?.method
        let remaining
        let chunked = false
        if (method === 'HEAD' || status === 204 || status === 304) remaining = 0
        else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) chunked = true
        else if (headers['content-length'] !== undefined)
          remaining = Number(headers['content-length'])
        else remaining = Infinity // until close; not expected from any server here
        this.res = { status, headers, remaining, chunked, body: [] }
      }
      const res = this.res
      if (res.chunked) {
        // Chunked bodies (error messages at most): parse size lines.
        const nl = this.buf.indexOf('\r\n')
        if (nl < 0) return
        const size = parseInt(this.buf.subarray(0, nl).toString('latin1'), 16)
        if (this.buf.length < nl + 2 + size + 2) return
        res.body.push(this.buf.subarray(nl + 2, nl + 2 + size))
        this.buf = this.buf.subarray(nl + 2 + size + 2)
        if (size > 0) continue
        // Trailers are not used by any server here; the final CRLF was consumed above.
      } else {
        const take = Math.min(res.remaining, this.buf.length)
        if (take > 0) res.body.push(this.buf.subarray(0, take))
        this.buf = this.buf.subarray(take)
        res.remaining -= take
        if (res.remaining > 0) return
      }
      this.res = undefined
      const p = this.pending
      this.pending = undefined
      const ms = p ? Number(process.hrtime.bigint() - p.start) / 1e6 : 0
      const close = /close/i.test(res.headers['connection'] ?? '')
      p?.resolve({
        status: res.status,
        headers: res.headers,
        body: Buffer.concat(res.body).toString('utf8'),
        ms,
        close,
      })
      if (this.buf.length === 0) return
    }
  }
}
