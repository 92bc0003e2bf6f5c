import { mkdirSync } from 'node:fs'
import { createReadStream } from 'node:fs'
import { open, readFile, stat, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import createDebug from 'debug'
import { TusError, tusError } from '../../protocol/errors.js'
import { isValidUploadId } from '../../protocol/upload-id.js'
import type { Metadata } from '../../protocol/metadata.js'
import type { AppendOptions, Capability, Upload, UploadInit, UploadStore } from '../upload-store.js'
import { syncDirectory, writeFileAtomic } from './atomic-write.js'
import { FileSink } from './file-sink.js'
import { pump } from '../../streams/pump.js'

const log = createDebug('tuskit:file-store')

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
  /** Bytes buffered between the request and the file before backpressure. Default 1 MiB. */
  writeBufferSize?: number
}

/** What the info file holds: everything but the offset, which the data file's size gives. */
interface InfoFile {
  id: string
  size: number | null
  metadata: Metadata
  createdAt: string
}

/**
 * The default store: `<directory>/<id>` holds the bytes, `<directory>/<id>.json` the info.
 * The offset is always the data file's size, so after a crash the reported offset equals the
 * bytes really on disk. Info files are replaced atomically. Ids never contain dots or
 * slashes, so no URL can name a file outside the folder or another upload's info file.
 */
export class FileStore implements UploadStore {
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'creation-defer-length',
    'termination',
    'read',
  ])
  readonly directory: string
  private readonly fsync: boolean
  private readonly writeBufferSize: number
  // Defence in depth: the handler's locker already serialises appends to one upload.
  private readonly appending = new Set<string>()

  constructor(options: FileStoreOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new TypeError('FileStore: options.directory must be a non-empty string')
    }
    this.directory = resolve(options.directory)
    this.fsync = options.fsync ?? true
    this.writeBufferSize = options.writeBufferSize ?? 1024 * 1024
    mkdirSync(this.directory, { recursive: true })
  }

  private dataPath(id: string): string {
    if (!isValidUploadId(id)) throw tusError('ERR_UPLOAD_NOT_FOUND')
    return join(this.directory, id)
  }

  private infoPath(id: string): string {
    return `${this.dataPath(id)}.json`
  }

  async create(init: UploadInit): Promise<Upload> {
    const info: InfoFile = {
      id: init.id,
      size: init.size ?? null,
      metadata: { ...init.metadata },
      createdAt: new Date().toISOString(),
    }
    // The data file is created exclusively first so two creations of one id cannot both win;
    // the info file appears atomically after it, and only then does the upload exist.
    const fh = await open(this.dataPath(init.id), 'wx', 0o600).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw tusError('ERR_UPLOAD_EXISTS')
      }
      throw err
    })
    await fh.close()
    await writeFileAtomic(this.infoPath(init.id), JSON.stringify(info), this.fsync)
    log('created %s size=%s', init.id, info.size)
    return toUpload(info, 0)
  }

  private async readInfo(id: string): Promise<InfoFile> {
    try {
      return JSON.parse(await readFile(this.infoPath(id), 'utf8')) as InfoFile
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw tusError('ERR_UPLOAD_NOT_FOUND')
      throw err
    }
  }

  private async storedBytes(id: string): Promise<number> {
    try {
      return (await stat(this.dataPath(id))).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw err
    }
  }

  async get(id: string): Promise<Upload> {
    const info = await this.readInfo(id)
    return toUpload(info, await this.storedBytes(id))
  }

  async append(id: string, offset: number, body: Readable, opts: AppendOptions): Promise<Upload> {
    const info = await this.readInfo(id)
    if (this.appending.has(id)) {
      throw new TusError('ERR_LOCK_TIMEOUT', 423, 'upload is being written by another request')
    }
    this.appending.add(id)
    try {
      const fh = await open(this.dataPath(id), 'a', 0o600)
      let failure: unknown
      let sink: FileSink | undefined
      try {
        const stored = (await fh.stat()).size
        if (stored !== offset) {
          throw tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(stored) })
        }
        sink = new FileSink(fh, opts.maxBytes, this.writeBufferSize)
        try {
          await pump(body, sink, opts.signal)
        } catch (err) {
          failure = err
        }
        await sink.settled()
        if (this.fsync && sink.written > 0) await fh.sync()
      } finally {
        await fh.close()
      }
      log('appended %s +%d at %d%s', id, sink.written, offset, failure ? ' (interrupted)' : '')
      if (failure !== undefined) throw failure
      return toUpload(info, offset + sink.written)
    } finally {
      this.appending.delete(id)
    }
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
    await writeFileAtomic(this.infoPath(id), JSON.stringify(next), this.fsync)
    return toUpload(next, offset)
  }

  async remove(id: string): Promise<void> {
    // Info first: once it is gone the upload no longer exists, whatever happens next.
    await unlink(this.infoPath(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw tusError('ERR_UPLOAD_NOT_FOUND')
      throw err
    })
    await unlink(this.dataPath(id)).catch(() => undefined)
    if (this.fsync) await syncDirectory(this.directory)
  }

  async read(id: string, range?: { start: number; end: number }): Promise<Readable> {
    await this.readInfo(id)
    return createReadStream(this.dataPath(id), range ?? {})
  }
}

function toUpload(info: InfoFile, offset: number): Upload {
  return {
    id: info.id,
    size: info.size ?? undefined,
    offset,
    metadata: info.metadata,
    createdAt: new Date(info.createdAt),
  }
}
