import { statSync } from 'node:fs'
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { createChecksumVerifier, type ChecksumVerifier } from '../../protocol/checksum.js'
import { tusError } from '../../model/errors.js'
import { pump } from '../../streams/pump.js'
import type { AppendOptions, ChecksumSpec } from '../../model/upload.js'
import { syncDirectory } from './atomic-write.js'
import { FileSink } from './file-sink.js'

/**
 * The FileStore's all-or-nothing append for tus `checksum`.
 *
 * 1. The body streams into a staging file `<id>.chunk` (ids contain no dots, so the name
 *    cannot collide with an upload), digested as it goes; the data file is not touched.
 * 2. Once the body has ended, the digest is compared with the expected one. A mismatch (460),
 *    an abort, a disconnect or an overlong body deletes the staging file: nothing is stored.
 * 3. On a match, the commit marker `<id>.commit` (the offset the chunk goes at, then a
 *    newline) is written and fsynced, the staged bytes are copied to the end of the data
 *    file, the data is fsynced (per the store's policy), and the marker is removed: that
 *    removal is the commit. A torn marker (no newline yet) means copying had not begun.
 *
 * A crash in step 1 or 2 leaves the data file untouched, so the offset does not move; the
 * stale staging file is ignored and deleted by the next append (or the removal of the
 * upload). A crash in step 3 leaves the marker: while it exists the offset reported is the
 * marker's, and the next append first truncates the data file back to it. Memory stays flat:
 * the body is streamed, and the copy uses one buffer.
 */

const COPY_BUFFER = 1024 * 1024

/** The staging file of a checksummed append to the upload whose data file is `dataPath`. */
export function stagingPath(dataPath: string): string {
  return `${dataPath}.chunk`
}

/** The marker of a commit in progress, holding the offset the staged bytes go at. */
export function commitMarkerPath(dataPath: string): string {
  return `${dataPath}.commit`
}

/**
 * The offset a crashed commit started from, when its marker is still there: the true offset
 * of the upload, whatever the data file's size says. `undefined` when no commit is pending.
 */
export async function pendingCommitOffset(dataPath: string): Promise<number | undefined> {
  let text: string
  try {
    text = await readFile(commitMarkerPath(dataPath), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  // Torn: the crash came while the marker was written, before any byte was copied.
  if (!/^\d{1,16}\n$/.test(text)) return undefined
  return Number(text.slice(0, -1))
}

/**
 * Undoes what a crash left: truncates the data file back to a pending commit's offset and
 * deletes the marker, then deletes a stale staging file. Call only while holding the upload
 * (no append to it may be running).
 */
export async function recoverStaging(dataPath: string, durable: boolean): Promise<void> {
  // Nearly always there is nothing to undo: two cheap synchronous lookups that do not throw
  // (cached negative lookups) instead of a failing read and two failing unlinks per append.
  if (
    statSync(commitMarkerPath(dataPath), { throwIfNoEntry: false }) === undefined &&
    statSync(stagingPath(dataPath), { throwIfNoEntry: false }) === undefined
  ) {
    return
  }
  const offset = await pendingCommitOffset(dataPath)
  if (offset !== undefined) {
    const fh = await open(dataPath, 'r+').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
    if (fh !== undefined) {
      try {
        if ((await fh.stat()).size > offset) {
          await fh.truncate(offset)
          if (durable) await fh.sync()
        }
      } finally {
        await fh.close()
      }
    }
  }
  await unlinkIfExists(commitMarkerPath(dataPath)) // torn or rolled back
  if (offset !== undefined && durable) await syncDirectory(dirname(dataPath))
  await unlinkIfExists(stagingPath(dataPath))
}

export interface ChecksumAppendConfig {
  /** fsync the data file, the marker and the folder (the store's `fsync` option). */
  readonly durable: boolean
  /** Bytes buffered between the body and the staging file before backpressure (see FileSink). */
  readonly writeBufferSize: () => number
}

/**
 * Appends `body` at `offset` to the data file, all or nothing, once its digest matches
 * `checksum` (`opts.checksum`, passed apart for its type). Resolves with the number of bytes appended; rejects (storing nothing) with a
 * 409 for a stale offset, a 460 on a mismatch, a 413 past `maxBytes`, or the stream's error.
 * The caller must hold the upload and have called {@link recoverStaging}.
 */
export async function appendWithChecksum(
  dataPath: string,
  offset: number,
  body: Readable,
  opts: AppendOptions,
  checksum: ChecksumSpec,
  config: ChecksumAppendConfig,
): Promise<number> {
  const verifier = createChecksumVerifier(checksum)
  const data = await open(dataPath, 'a', 0o600)
  try {
    const stored = (await data.stat()).size
    if (stored !== offset) {
      throw tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(stored) })
    }
    const staging = await open(stagingPath(dataPath), 'w+', 0o600)
    try {
      const sink = new VerifyingSink(staging.fd, opts.maxBytes, config.writeBufferSize, verifier)
      let failure: unknown
      try {
        await pump(body, sink, opts.signal)
      } catch (err) {
        failure = err
      }
      // No write may be in flight when the handle closes.
      await sink.settled()
      if (failure !== undefined) throw failure
      verifier.verify()
      if (sink.written > 0) await commit(dataPath, offset, data, staging, sink.written, config)
      return sink.written
    } finally {
      await staging.close()
      await unlinkIfExists(stagingPath(dataPath))
    }
  } finally {
    await data.close()
  }
}

/** Copies the verified staging bytes to the data file under a commit marker (see above). */
async function commit(
  dataPath: string,
  offset: number,
  data: FileHandle,
  staging: FileHandle,
  length: number,
  config: ChecksumAppendConfig,
): Promise<void> {
  const marker = commitMarkerPath(dataPath)
  await writeMarker(marker, offset, config.durable)
  try {
    await copy(staging, data, length)
    if (config.durable) await data.sync()
  } catch (err) {
    // Put the data file back; if even that fails, the marker stays and keeps the offset right.
    await data.truncate(offset)
    if (config.durable) await data.sync()
    await unlinkIfExists(marker)
    throw err
  }
  await unlink(marker)
  if (config.durable) await syncDirectory(dirname(dataPath))
}

/** Writes the commit marker; durable first, since copying may only begin once it is there. */
async function writeMarker(path: string, offset: number, durable: boolean): Promise<void> {
  const fh = await open(path, 'w', 0o600)
  try {
    await fh.writeFile(`${offset}\n`)
    if (durable) await fh.sync()
  } finally {
    await fh.close()
  }
  if (durable) await syncDirectory(dirname(path))
}

async function copy(from: FileHandle, to: FileHandle, length: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(length, COPY_BUFFER))
  let position = 0
  while (position < length) {
    const want = Math.min(buffer.length, length - position)
    const { bytesRead } = await from.read(buffer, 0, want, position)
    if (bytesRead === 0) throw new Error('staging file is shorter than the bytes received')
    let written = 0
    while (written < bytesRead) {
      const { bytesWritten } = await to.write(buffer, written, bytesRead - written)
      written += bytesWritten
    }
    position += bytesRead
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}

/** A {@link FileSink} that feeds every byte to a checksum verifier on its way to the file. */
class VerifyingSink extends FileSink {
  constructor(
    fd: number,
    maxBytes: number,
    bufferBytes: () => number,
    private readonly verifier: ChecksumVerifier,
  ) {
    super(fd, maxBytes, bufferBytes)
  }

  override _write(chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.verifier.update(chunk)
    super._write(chunk, enc, cb)
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    cb: (err?: Error | null) => void,
  ): void {
    for (const { chunk } of chunks) this.verifier.update(chunk)
    super._writev(chunks, cb)
  }
}
