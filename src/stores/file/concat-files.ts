import { createReadStream } from 'node:fs'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { tusError } from '../../model/errors.js'
import { REPLACE_TEMP, syncDirectory } from './atomic-write.js'

/** One input of a concatenation: the first `length` bytes of the file at `path`. */
export interface ConcatSource {
  readonly path: string
  readonly length: number
}

const READ_BUFFER = 1024 * 1024

/**
 * The temporary file a concatenation into `target` writes: one fixed name per target, so the
 * removal of an upload finds a crash's leftover without listing the folder.
 */
export function concatTempPath(target: string): string {
  return `${target}.concat.tmp`
}

/**
 * Streams `sources`, in order, into the temporary sibling {@link concatTempPath} of `target`
 * (emptied first if a crash left it) and resolves with its path; the caller renames it over
 * `target` once everything else is in place, so a crash at any moment leaves either no body
 * or the whole one. The caller must be the only one concatenating into `target`. Holds at
 * most one read buffer at a time. With `durable`, the temporary file is fsynced before this
 * resolves. On any failure the temporary file is removed; a source that is missing or
 * shorter than its `length` rejects with a 400 `ERR_PART_NOT_FOUND` `TusError`.
 */
export async function writeConcatenation(
  target: string,
  sources: readonly ConcatSource[],
  durable: boolean,
): Promise<string> {
  const tmp = concatTempPath(target)
  const fh = await open(tmp, REPLACE_TEMP, 0o600)
  let done = false
  try {
    for (const source of sources) await copyPrefix(fh, source)
    if (durable) await fh.sync()
    done = true
  } finally {
    await fh.close()
    if (!done) await unlink(tmp).catch(() => undefined)
  }
  return tmp
}

/**
 * Renames a file from {@link writeConcatenation} over `target`, atomically; with `durable`
 * the folder is fsynced so the rename survives power loss. On failure `tmp` is removed.
 */
export async function commitConcatenation(
  tmp: string,
  target: string,
  durable: boolean,
): Promise<void> {
  try {
    await rename(tmp, target)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  if (durable) await syncDirectory(dirname(target))
}

async function copyPrefix(fh: FileHandle, { path, length }: ConcatSource): Promise<void> {
  if (length === 0) return
  let copied = 0
  try {
    const stream = createReadStream(path, { start: 0, end: length - 1, highWaterMark: READ_BUFFER })
    for await (const chunk of stream) {
      const buf = chunk as Buffer
      let written = 0
      while (written < buf.length) {
        written += (await fh.write(buf, written, buf.length - written)).bytesWritten
      }
      copied += buf.length
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw partGone()
    throw err
  }
  if (copied !== length) throw partGone()
}

function partGone() {
  return tusError('ERR_PART_NOT_FOUND', 'a part of this final upload is missing or incomplete')
}
