import { Writable } from 'node:stream'
import type { FileHandle } from 'node:fs/promises'
import { tusError } from '../../protocol/errors.js'

/**
 * A Writable that appends to an open file and stops at `maxBytes`. It counts only bytes the
 * kernel accepted, so after any error `written` is exactly what reached the file. The caller
 * owns the file handle and must `await settled()` before closing it: a stream can be
 * destroyed while a write is still in flight.
 */
export class FileSink extends Writable {
  written = 0
  private pending: Promise<unknown> = Promise.resolve()
  private flushing: Promise<void> | undefined
  private flushedUpTo = 0
  /** The error of a background flush, if one failed (see `flushEvery`). */
  flushError: unknown

  /**
   * With `flushEvery`, an `fdatasync` is started in the background each time that many bytes
   * were written since the last one (one at a time, never waited for by the writes), so the
   * disk writes while the body still arrives and the caller's final flush has little left.
   */
  constructor(
    private readonly fh: FileHandle,
    private readonly maxBytes: number,
    highWaterMark: number,
    private readonly flushEvery?: number,
  ) {
    super({ highWaterMark, decodeStrings: true })
  }

  /** Resolves once no write and no background flush is in flight. */
  async settled(): Promise<void> {
    await this.pending.then(
      () => undefined,
      () => undefined,
    )
    await this.flushing
  }

  private maybeFlush(): void {
    if (this.flushEvery === undefined || this.flushing !== undefined) return
    if (this.written - this.flushedUpTo < this.flushEvery) return
    this.flushedUpTo = this.written
    this.flushing = this.fh.datasync().then(
      () => {
        this.flushing = undefined
      },
      (err: unknown) => {
        this.flushError ??= err
        this.flushing = undefined
      },
    )
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeBatch([chunk], cb)
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    cb: (err?: Error | null) => void,
  ): void {
    this.writeBatch(
      chunks.map((c) => c.chunk),
      cb,
    )
  }

  private writeBatch(buffers: Buffer[], cb: (err?: Error | null) => void): void {
    const room = this.maxBytes - this.written
    let total = 0
    for (const b of buffers) total += b.length
    let overflow = false
    if (total > room) {
      overflow = true
      buffers = cut(buffers, room)
      total = room
    }
    const done = overflow ? () => cb(tusError('ERR_BODY_TOO_LARGE')) : () => cb()
    if (total === 0) return done()
    const write = this.writeAll(buffers, total)
    this.pending = write
    write.then(done, (err: Error) => cb(err))
  }

  private async writeAll(buffers: Buffer[], total: number): Promise<void> {
    let left = total
    while (left > 0) {
      const { bytesWritten } = await this.fh.writev(buffers)
      this.written += bytesWritten
      left -= bytesWritten
      if (left > 0) buffers = skip(buffers, bytesWritten)
    }
    this.maybeFlush()
  }
}

/** The first `n` bytes of a list of buffers. */
function cut(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of buffers) {
    if (n <= 0) break
    out.push(b.length <= n ? b : b.subarray(0, n))
    n -= b.length
  }
  return out
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
