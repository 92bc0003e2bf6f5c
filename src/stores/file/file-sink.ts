import { Writable } from 'node:stream'
import { fdatasync, writev } from 'node:fs'
import { tusError } from '../../model/errors.js'

/** How long a small body's bytes may wait for the rest of it before they are written. */
const WHOLE_BODY_WAIT_MS = 20

/** How many bytes a {@link FileSink} with `bufferBytes` gathers before it writes. */
export function batchSize(bufferBytes: number): number {
  return Math.max(1, Math.floor(bufferBytes / 2))
}

/** Shared by the sinks of one store, so only one background flush runs at a time. */
export interface FlushGate {
  running: boolean
}

/** Background flushes of a long append (see {@link FileSink}). */
export interface BackgroundFlush {
  /** Start an `fdatasync` each time this many bytes were written since the last one. */
  every: number
  /** While another sink's background flush runs, this one skips its turn. */
  gate: FlushGate
}

/**
 * A Writable that appends to an open file descriptor and stops at `maxBytes`. It counts only
 * bytes the kernel accepted, so after any error `written` is exactly what reached the file.
 * The caller owns the descriptor and must `await settled()` before closing it: a stream can
 * be destroyed while a write is still in flight.
 *
 * Chunks that arrive together are written together: a chunk is gathered, and the batch is
 * written once half of `bufferBytes` are held, or when the event loop has no more input for
 * now (the next `setImmediate`), or when the body ends. Each write is a round trip to libuv's
 * thread pool, which costs more than its bytes, so a 256 KiB PATCH body that came in four
 * socket reads is one write. Writes run one at a time, in order. While one runs, what keeps
 * arriving is gathered; once a full batch waits for it, backpressure pauses the request, so
 * at most about `bufferBytes()` are held. It is asked again at each chunk, so a store can
 * shrink every running append's share as more start.
 */
export class FileSink extends Writable {
  written = 0
  /** The error of a background flush, if one failed (see the constructor). */
  flushError: unknown
  private gathered: Buffer[] = []
  private gatheredBytes = 0
  /** Bytes accepted so far: written, being written and gathered. */
  private taken = 0
  private overflowed = false
  private writes: Promise<void> = Promise.resolve()
  private writing = 0
  private writeError: Error | undefined
  private idleWriteScheduled = false
  private waitTimer: NodeJS.Timeout | undefined
  private retired = false
  private flushing: Promise<void> | undefined
  private flushedUpTo = 0

  /**
   * With `background`, an `fdatasync` is started in the background each time enough bytes
   * were written since the last one (one at a time in the store, never waited for by the
   * writes), so the disk writes while the body still arrives and the caller's final flush
   * has little left. With `wholeBody` (a body known to fit one batch), what arrived is
   * written when the body ends, or if it stalls, `WHOLE_BODY_WAIT_MS` after the first byte
   * not yet written: usually one write, and bytes of a stalled body still reach the file.
   */
  constructor(
    private readonly fd: number,
    private readonly maxBytes: number,
    private readonly bufferBytes: () => number,
    private readonly background?: BackgroundFlush,
    private readonly wholeBody = false,
  ) {
    // Not lower: a high-water mark below a socket read makes every write() return false, and
    // the request pauses and resumes for every chunk (a 1 GiB PATCH ran about 20 % slower).
    super({ highWaterMark: batchSize(bufferBytes()) })
  }

  /**
   * Resolves once no write and no background flush is in flight; nothing is written after
   * (the descriptor may be closed then).
   */
  async settled(): Promise<void> {
    this.stopWaiting()
    while (this.writing > 0) await this.writes
    await this.flushing
    this.retired = true
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.gather(chunk, cb)
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    cb: (err?: Error | null) => void,
  ): void {
    for (let i = 0; i < chunks.length - 1; i++) this.take(chunks[i]!.chunk)
    this.gather(chunks[chunks.length - 1]!.chunk, cb)
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.stopWaiting()
    this.writeGathered().then(() => cb(this.writeError))
  }

  private gather(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.writeError !== undefined) return cb(this.writeError)
    this.take(chunk)
    if (this.overflowed) {
      this.writeGathered().then(() => cb(this.writeError ?? tusError('ERR_BODY_TOO_LARGE')))
    } else if (this.gatheredBytes >= batchSize(this.bufferBytes())) {
      // Backpressure: the next chunk is taken once this batch (and any before it) is written.
      this.writeGathered().then(() => cb(this.writeError))
    } else {
      cb()
      if (!this.idleWriteScheduled) {
        this.idleWriteScheduled = true
        const write = (): void => {
          this.idleWriteScheduled = false
          this.waitTimer = undefined
          if (this.writing === 0) void this.writeGathered()
        }
        if (this.wholeBody) this.waitTimer = setTimeout(write, WHOLE_BODY_WAIT_MS)
        else setImmediate(write)
      }
    }
  }

  private stopWaiting(): void {
    if (this.waitTimer === undefined) return
    clearTimeout(this.waitTimer)
    this.waitTimer = undefined
    this.idleWriteScheduled = false
  }

  /** Adds `chunk` to the batch, cut at `maxBytes` (which marks the sink overflowed). */
  private take(chunk: Buffer): void {
    const room = this.maxBytes - this.taken
    if (chunk.length > room) this.overflowed = true
    const part = chunk.length <= room ? chunk : chunk.subarray(0, Math.max(0, room))
    if (part.length > 0) {
      this.gathered.push(part)
      this.gatheredBytes += part.length
      this.taken += part.length
    }
  }

  /** Queues the gathered batch for writing; resolves when every write queued so far is done. */
  private writeGathered(): Promise<void> {
    const buffers = this.gathered
    const total = this.gatheredBytes
    if (total === 0 || this.retired) return this.writes
    this.gathered = []
    this.gatheredBytes = 0
    this.writing++
    this.writes = this.writes
      .then(() => (this.writeError === undefined ? this.writeAll(buffers, total) : undefined))
      .catch((err: Error) => {
        this.writeError ??= err
      })
      .then(() => {
        this.writing--
        // What arrived during the write, if no batch-full or final write took it already.
        if (this.writing === 0 && this.gatheredBytes > 0 && !this.idleWriteScheduled) {
          void this.writeGathered()
        }
      })
    return this.writes
  }

  private async writeAll(buffers: Buffer[], total: number): Promise<void> {
    let left = total
    while (left > 0) {
      const bytesWritten = await writevFd(this.fd, buffers)
      this.written += bytesWritten
      left -= bytesWritten
      if (left > 0) buffers = skip(buffers, bytesWritten)
    }
    this.maybeFlush()
  }

  private maybeFlush(): void {
    const { background } = this
    if (background === undefined || background.gate.running) return
    if (this.written - this.flushedUpTo < background.every) return
    this.flushedUpTo = this.written
    background.gate.running = true
    this.flushing = new Promise<void>((resolve) => {
      fdatasync(this.fd, (err) => {
        if (err) this.flushError ??= err
        background.gate.running = false
        this.flushing = undefined
        resolve()
      })
    })
  }
}

function writevFd(fd: number, buffers: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, (err, bytesWritten) => (err ? reject(err) : resolve(bytesWritten)))
  })
}

/** A list of buffers without its first `n` bytes. */
function skip(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length
      continue
    }
    out.push(n > 0 ? b.subarray(n) : b)
    n = 0
  }
  return out
}
