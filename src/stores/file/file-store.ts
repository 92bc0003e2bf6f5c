import {
  closeSync,
  constants as fsConstants,
  createReadStream,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  type Stats,
} from 'node:fs'
import { readdir, stat, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { createLog } from '../../util/log.js'
import { TusError, tusError } from '../../model/errors.js'
import { isValidUploadId } from '../../protocol/upload-id.js'
import type { Metadata } from '../../model/upload.js'
import { type UploadStore } from '../upload-store.js'
import {
  isComplete,
  type AppendOptions,
  type Capability,
  type Upload,
  type UploadInit,
} from '../../model/upload.js'
import { fdatasyncFd, syncDirectory, writeFileAtomic } from './atomic-write.js'
import { FileSink, batchSize, type FlushGate } from './file-sink.js'
import {
  appendWithChecksum,
  commitMarkerPath,
  pendingCommitOffset,
  recoverStaging,
  stagingPath,
} from './checksum-append.js'
import { commitConcatenation, concatTempPath, writeConcatenation } from './concat-files.js'
import { removeIfPresent, sweepTemporaries } from './leftovers.js'
import { pump } from '../../streams/pump.js'

const log = createLog('file-store')

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** Folder holding one data file and one `.json` info file per upload; created if missing. */
  directory: string
  /**
   * fsync the data before an append resolves, and info files and the folder when they change.
   * With `true` (the default) an acknowledged offset survives power loss; with `false` it
   * survives a crash of the process but not of the machine. Default `true`.
   */
  fsync?: boolean
  /**
   * Bytes buffered between the request and the file before backpressure. Default 1 MiB. While
   * many appends run at once, each gets an equal share of a 2 MiB budget instead (at least
   * 32 KiB), recomputed as appends start and end, so memory stays bounded under many
   * concurrent uploads.
   */
  writeBufferSize?: number
}

/**
 * Write buffers of concurrent appends share this many bytes (see `writeBufferSize`). Small on
 * purpose: a body chunk that waits in a buffer through two scavenges is promoted, and its
 * memory comes back only at the next full GC. With 8 MiB (64 KiB or more each), 64 concurrent
 * fsynced appends peaked at 111–120 MiB of RSS; with 2 MiB (32 KiB each), 94–98 MiB at the
 * same throughput.
 */
const WRITE_BUFFER_BUDGET = 2 * 1024 * 1024
const MIN_WRITE_BUFFER = 32 * 1024
/** With fsync, a long append flushes in the background every this many bytes (see FileSink). */
const BACKGROUND_FLUSH_BYTES = 1024 * 1024

/** Flags of an append whose writes are flushed as they are made (see `append`). */
const DSYNC_APPEND =
  fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_DSYNC

/** How many uploads' info the store keeps in memory (see `FileStore.get`). */
const INFO_CACHE_SIZE = 10_000

/**
 * Temporary files at least this old when a store starts are a crash's leftovers, not a write
 * in flight in another process sharing the folder: writes keep their file's mtime fresh.
 */
const STALE_TEMP_MS = 60 * 60 * 1000

/** A cached info file, valid while the info file is the one it was read from. */
interface CachedInfo {
  info: InfoFile
  ino: number
  ctimeMs: number
  /** A data file size at which no commit marker was found (-1: none yet). */
  markerFreeSize: number
}

/** What the info file holds: everything but the offset, which the data file's size gives. */
interface InfoFile {
  id: string
  size: number | null
  metadata: Metadata
  createdAt: string
  /** Set for the parts and results of tus `concatenation`. */
  concat?: Upload['concat']
}

/**
 * The default store: `<directory>/<id>.json` holds the info and `<directory>/<id>` the bytes,
 * created by the first append. The offset is always the data file's size (0 while there is
 * none), so after a crash the reported offset equals the bytes really on disk. Info files
 * appear and are replaced atomically. Ids never contain dots or
 * slashes, so no URL can name a file outside the folder or another upload's info file. A new
 * store removes, in the background, temporary files over an hour old that a crash left.
 *
 * Metadata calls (stat, open, close, reading a small info file) are synchronous:
 * on a local disk each takes microseconds, several times less than a round trip to libuv's
 * thread pool. Writes of upload bodies and every flush run on the pool, so nothing that
 * waits for the disk blocks the event loop. Meant for a local file system.
 */
export class FileStore implements UploadStore {
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'creation-defer-length',
    'termination',
    'concatenation',
    'read',
    'expiration',
    'checksum',
  ])
  readonly directory: string
  private readonly fsync: boolean
  private readonly writeBufferSize: number
  // Uploads being written (append, length, concatenation): one writer per upload at a time.
  // The handler's locker already serialises them; this holds for direct calls too, and the
  // fixed names of an upload's temporary files rely on it.
  private readonly appending = new Set<string>()
  // Info files read or written, each tied to the info file's stat (see `infoAndStat`).
  private readonly infos = new Map<string, CachedInfo>()
  // One background flush at a time for the whole store: libuv's pool has few threads, and
  // many uploads' flushes at once would hold them all while writes wait.
  private readonly backgroundFlushes: FlushGate = { running: false }

  constructor(options: FileStoreOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new TypeError('FileStore: options.directory must be a non-empty string')
    }
    this.directory = resolve(options.directory)
    this.fsync = options.fsync ?? true
    this.writeBufferSize = options.writeBufferSize ?? 1024 * 1024
    mkdirSync(this.directory, { recursive: true })
    // Temporary files older than any write in flight: a crash's, and those of an older
    // layout (random names), which a DELETE no longer looks for. One listing, in the background.
    const stale = new Date(Date.now() - STALE_TEMP_MS)
    sweepTemporaries(this.directory, stale).then(
      (n) => n > 0 && log('removed %d stale temporary files', n),
      (err: unknown) => log('sweeping temporary files failed: %O', err),
    )
  }

  private dataPath(id: string): string {
    if (!isValidUploadId(id)) throw tusError('ERR_UPLOAD_NOT_FOUND')
    return join(this.directory, id)
  }

  private infoPath(id: string): string {
    return `${this.dataPath(id)}.json`
  }

  /** The temporary file of an info update (not a creation: those may race, see `create`). */
  private infoTempPath(id: string): string {
    return `${this.infoPath(id)}.tmp`
  }

  /** Files a crash may have left for an upload, known by name: no listing finds them. */
  private leftoverPaths(id: string): string[] {
    const data = this.dataPath(id)
    return [stagingPath(data), commitMarkerPath(data), this.infoTempPath(id), concatTempPath(data)]
  }

  async create(init: UploadInit): Promise<Upload> {
    const info: InfoFile = {
      id: init.id,
      size: init.size ?? null,
      metadata: { ...init.metadata },
      createdAt: new Date().toISOString(),
      ...(init.concat !== undefined ? { concat: init.concat } : {}),
    }
    // One new file per creation, since creating files is what a creation costs: the info file
    // appears atomically, and only then does the upload exist. The data file appears with the
    // first append. Unlike other metadata calls these run on the thread pool, so many creations
    // at once spread over its threads. Creations take no lock and two may choose one id (a
    // naming function, several processes), so each writes a temporary file of its own, with a
    // random name; one a crash left goes with the sweeps (see `deleteExpired`, the constructor).
    const infoPath = this.infoPath(init.id)
    const dataPath = this.dataPath(init.id)
    const beforeRename = (): void => {
      if (statIfExists(infoPath) !== undefined) throw tusError('ERR_UPLOAD_EXISTS')
      // A data file without info is what a removal cut short left behind: not this upload's.
      if (statIfExists(dataPath) !== undefined) unlinkSync(dataPath)
    }
    await writeFileAtomic(infoPath, JSON.stringify(info), this.fsync, { beforeRename })
    const infoSt = statIfExists(infoPath)
    if (infoSt !== undefined) this.remember(init.id, info, infoSt)
    log('created %s size=%s', init.id, info.size)
    return toUpload(info, 0)
  }

  private async readInfo(id: string): Promise<InfoFile> {
    try {
      return JSON.parse(readFileSync(this.infoPath(id), 'utf8')) as InfoFile
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw tusError('ERR_UPLOAD_NOT_FOUND')
      throw err
    }
  }

  private async storedBytes(id: string): Promise<number> {
    return (await this.dataStat(id)).size
  }

  /** Size and last write of the data file; a missing one (no append yet) is empty. */
  private async dataStat(id: string): Promise<{ size: number; mtime?: Date }> {
    const st = statIfExists(this.dataPath(id))
    if (st === undefined) return { size: 0 }
    return { size: await this.committedSize(id, st), mtime: st.mtime }
  }

  /**
   * The offset of an upload whose data file holds `size` bytes: a checksummed append that
   * crashed while committing is not stored (checksum-append.ts). Whether its marker exists is
   * asked with a synchronous stat that does not throw (a cached negative lookup, far cheaper
   * than a failing asynchronous read); the marker is read only when it is there.
   *
   * The lookup is skipped when it cannot matter: at size 0, and at a size where the marker was
   * already found absent. A commit writes its marker at the current size and only then copies
   * bytes in, which grows the file, and the file only shrinks back to a marker's offset; so
   * while the size is one at which no marker existed, no marker can say otherwise.
   */
  private async committedSize(id: string, st: Stats): Promise<number> {
    const { size } = st
    if (size === 0) return 0
    const cached = this.infos.get(id)
    if (cached !== undefined && cached.markerFreeSize === size) return size
    const marker = commitMarkerPath(this.dataPath(id))
    if (statIfExists(marker) === undefined) {
      if (cached !== undefined) cached.markerFreeSize = size
      return size
    }
    return (await pendingCommitOffset(this.dataPath(id))) ?? size
  }

  /**
   * The upload's info and its data file's stat (`undefined` before the first append). Info
   * files are cached in memory, trusted only while the info file is the very file they were
   * read from (same inode and change time, from one synchronous stat): every change replaces
   * it with a new file, so a change or a removal by another process sharing the folder (or a
   * removal and re-creation of the id) is seen. A change in this process drops the entry at
   * once. The offset is never cached: it is the data file's size, from a stat every time.
   */
  private async infoAndStat(id: string): Promise<{ info: InfoFile; st: Stats | undefined }> {
    const infoSt = statIfExists(this.infoPath(id))
    if (infoSt === undefined) {
      this.infos.delete(id)
      throw tusError('ERR_UPLOAD_NOT_FOUND')
    }
    const cached = this.infos.get(id)
    let info: InfoFile
    if (cached !== undefined && cached.ino === infoSt.ino && cached.ctimeMs === infoSt.ctimeMs) {
      info = cached.info
    } else {
      info = await this.readInfo(id)
      this.remember(id, info, infoSt)
    }
    return { info, st: statIfExists(this.dataPath(id)) }
  }

  /** Caches an info file, tied to the stat of the file it was read from (see above). */
  private remember(id: string, info: InfoFile, infoSt: Stats): void {
    this.infos.delete(id)
    if (this.infos.size >= INFO_CACHE_SIZE) {
      const oldest = this.infos.keys().next().value
      if (oldest !== undefined) this.infos.delete(oldest)
    }
    this.infos.set(id, { info, ino: infoSt.ino, ctimeMs: infoSt.ctimeMs, markerFreeSize: -1 })
  }

  async get(id: string): Promise<Upload> {
    const { info, st } = await this.infoAndStat(id)
    if (st === undefined) return toUpload(info, 0)
    return toUpload(info, await this.committedSize(id, st), st.mtime)
  }

  async append(id: string, offset: number, body: Readable, opts: AppendOptions): Promise<Upload> {
    const { info, st } = await this.infoAndStat(id)
    if (info.concat?.kind === 'final') throw tusError('ERR_MODIFY_FINAL')
    if (this.appending.has(id)) {
      throw new TusError('ERR_LOCK_TIMEOUT', 423, 'upload is being written by another request')
    }
    this.appending.add(id)
    const writeBufferSize = this.writeBufferShare
    try {
      await recoverStaging(this.dataPath(id), this.fsync)
      if (opts.checksum !== undefined) {
        const config = { durable: this.fsync, writeBufferSize }
        const added = await appendWithChecksum(
          this.dataPath(id),
          offset,
          body,
          opts,
          opts.checksum,
          config,
        )
        log('appended %s +%d at %d (checksum verified)', id, added, offset)
        return await this.get(id)
      }
      // A body known to fit one batch (a small PATCH) is written once, at its end, through a
      // descriptor opened with O_DSYNC: the write is its own flush, one round trip to the
      // pool instead of two. Only the hint's speed depends on it being right.
      const expected = opts.expectedBytes
      const oneWrite = expected !== undefined && expected <= batchSize(writeBufferSize())
      const syncWrites = oneWrite && this.fsync
      const fd = openSync(this.dataPath(id), syncWrites ? DSYNC_APPEND : 'a', 0o600)
      let failure: unknown
      let sink: FileSink | undefined
      try {
        const stored = fstatSync(fd).size
        if (stored !== offset) {
          throw tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(stored) })
        }
        sink = new FileSink(
          fd,
          opts.maxBytes,
          writeBufferSize,
          this.fsync ? { every: BACKGROUND_FLUSH_BYTES, gate: this.backgroundFlushes } : undefined,
          oneWrite,
        )
        try {
          await pump(body, sink, opts.signal)
        } catch (err) {
          failure = err
        }
        await sink.settled()
        // fdatasync flushes the bytes and the file's new size, all an append needs. A failed
        // background flush fails the append: its error may not be reported a second time.
        if (sink.flushError !== undefined) failure ??= sink.flushError
        if (this.fsync && sink.written > 0) {
          if (!syncWrites) await fdatasyncFd(fd)
          // The first bytes created the data file: its folder entry must be durable too.
          if (st === undefined) await syncDirectory(this.directory)
        }
      } finally {
        closeSync(fd)
      }
      log('appended %s +%d at %d%s', id, sink.written, offset, failure ? ' (interrupted)' : '')
      if (failure !== undefined) throw failure
      return toUpload(info, offset + sink.written, new Date())
    } finally {
      this.appending.delete(id)
    }
  }

  /** The write buffer of each running append: its share of the budget (see options). */
  private readonly writeBufferShare = (): number => {
    const budget = Math.max(WRITE_BUFFER_BUDGET, this.writeBufferSize)
    const share = Math.floor(budget / this.appending.size)
    return Math.min(this.writeBufferSize, Math.max(MIN_WRITE_BUFFER, share))
  }

  async declareLength(id: string, size: number): Promise<Upload> {
    const info = await this.readInfo(id)
    const offset = await this.storedBytes(id)
    if (info.size !== null) {
      if (info.size === size) return toUpload(info, offset)
      throw tusError('ERR_LENGTH_ALREADY_SET')
    }
    if (size < offset) throw tusError('ERR_LENGTH_BELOW_OFFSET')
    const next: InfoFile = { ...info, size }
    if (this.appending.has(id)) {
      throw new TusError('ERR_LOCK_TIMEOUT', 423, 'upload is being written by another request')
    }
    this.appending.add(id)
    this.infos.delete(id)
    try {
      await this.writeInfo(id, next)
    } finally {
      this.appending.delete(id)
    }
    return toUpload(next, offset)
  }

  /** Replaces an upload's info file; the caller is its one writer (see `appending`). */
  private writeInfo(id: string, info: InfoFile): Promise<void> {
    const temp = this.infoTempPath(id)
    return writeFileAtomic(this.infoPath(id), JSON.stringify(info), this.fsync, { temp })
  }

  async remove(id: string): Promise<void> {
    this.infos.delete(id)
    // Info first: once it is gone the upload no longer exists, whatever happens next.
    await unlink(this.infoPath(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw tusError('ERR_UPLOAD_NOT_FOUND')
      throw err
    })
    await unlink(this.dataPath(id)).catch(() => undefined)
    // What a crash left for this upload (a checksummed append, an info update or a
    // concatenation killed half-way): fixed names, looked up one by one, since listing a
    // large folder costs far more. Creations' temporary files are left to the sweeps.
    await removeIfPresent(this.leftoverPaths(id)).catch(() => undefined)
    if (this.fsync) await syncDirectory(this.directory)
  }

  /**
   * Streams the parts' bytes into a temporary file, records the final's size in its info file,
   * then renames the temporary file to the data file (none before). A crash before the rename
   * leaves the final empty, so it reads as not yet concatenated and is concatenated again.
   */
  async concatenate(id: string, parts: readonly Upload[]): Promise<Upload> {
    const info = await this.readInfo(id)
    if (info.concat?.kind !== 'final') throw new TypeError(`FileStore: ${id} is not a final upload`)
    let size = 0
    for (const part of parts) {
      if (part.size === undefined || part.offset !== part.size) {
        throw tusError('ERR_PART_NOT_FOUND', 'a part of this final upload is incomplete')
      }
      size += part.size
    }
    if (info.size !== null && info.size !== size) {
      throw new Error(`FileStore: the parts of ${id} add up to ${size} bytes, not ${info.size}`)
    }
    const stored = await this.storedBytes(id)
    if (info.size !== null && stored === info.size) return toUpload(info, stored)
    if (this.appending.has(id)) {
      throw new TusError('ERR_LOCK_TIMEOUT', 423, 'upload is being written by another request')
    }
    this.appending.add(id)
    this.infos.delete(id)
    try {
      const sources = parts.map((p) => ({ path: this.dataPath(p.id), length: p.size ?? 0 }))
      const tmp = await writeConcatenation(this.dataPath(id), sources, this.fsync)
      const next: InfoFile = { ...info, size }
      if (info.size === null) {
        await this.writeInfo(id, next).catch(async (err: unknown) => {
          await unlink(tmp).catch(() => undefined)
          throw err
        })
      }
      await commitConcatenation(tmp, this.dataPath(id), this.fsync)
      log('concatenated %s from %d parts, %d bytes', id, parts.length, size)
      return toUpload(next, size, new Date())
    } finally {
      this.appending.delete(id)
    }
  }

  /**
   * Removes unfinished uploads whose bytes were last written before `before`, and temporary
   * files a crash left behind that are as old. Uploads being appended to in this process are
   * skipped.
   */
  async deleteExpired(before: Date): Promise<number> {
    let removed = 0
    const names = await readdir(this.directory)
    const infos = new Set(names.filter((n) => n.endsWith('.json')))
    for (const name of names) {
      const path = join(this.directory, name)
      // Leftovers of a crash: temporary files, and data files whose info file is gone (a
      // DELETE cut between its two steps). Only old ones: a temporary file of a creation in
      // flight is fresh.
      if (name.endsWith('.tmp') || (isValidUploadId(name) && !infos.has(`${name}.json`))) {
        const { mtime } = await stat(path).catch(() => ({ mtime: new Date() }))
        if (mtime < before) await unlink(path).catch(() => undefined)
        continue
      }
      const id = name.slice(0, -'.json'.length)
      if (!name.endsWith('.json') || !isValidUploadId(id) || this.appending.has(id)) continue
      const upload = await this.get(id).catch(() => undefined)
      if (upload === undefined || isComplete(upload)) continue
      if ((upload.updatedAt ?? upload.createdAt) >= before) continue
      await this.remove(id).then(
        () => removed++,
        () => undefined,
      )
    }
    log('deleted %d expired uploads', removed)
    return removed
  }

  async read(id: string, range?: { start: number; end: number }): Promise<Readable> {
    await this.readInfo(id)
    // No data file yet: no byte was written.
    if (statIfExists(this.dataPath(id)) === undefined) return Readable.from([])
    return createReadStream(this.dataPath(id), range ?? {})
  }
}

/** A stat that answers `undefined` for a missing file (synchronous: see the class). */
function statIfExists(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false })
}

function toUpload(info: InfoFile, offset: number, updatedAt?: Date): Upload {
  const createdAt = new Date(info.createdAt)
  return {
    id: info.id,
    size: info.size ?? undefined,
    offset,
    // A copy: the info may be cached, and callers (hooks) may change what they are given.
    metadata: { ...info.metadata },
    createdAt,
    updatedAt: updatedAt ?? createdAt,
    ...(info.concat !== undefined ? { concat: info.concat } : {}),
  }
}
