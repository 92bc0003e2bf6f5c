import { close, constants as fsConstants, fdatasync, fsync, open, renameSync, write } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import { promisify } from 'node:util'
import { dirname } from 'node:path'
import { randomSlice } from '../../protocol/upload-id.js'

// Plain file descriptors rather than FileHandle objects: small files are opened, written and
// closed at once, and a FileHandle costs more to make than the open itself on this path.
const openFd = promisify(open)
const writeFd = promisify(write)
/** `fdatasync(2)` on a descriptor, as a promise (also the store's flush before an answer). */
export const fdatasyncFd = promisify(fdatasync)
const fsyncFd = promisify(fsync)
const closeFd = promisify(close)

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * The temporary file to write, replaced if a crash left it. Only for a caller that is the
   * one writer of that name (the FileStore's per-upload writes, which never run two at once
   * for one upload): a fixed name lets a removal find a crash's leftover without listing the
   * folder. Default: a fresh random name next to `path`, for writers that may race.
   */
  temp?: string
  /**
   * Runs right before the rename, in the same synchronous step; if it throws, nothing is
   * replaced.
   */
  beforeRename?: () => void
}

/** Flags to open a fixed-name temporary file: a crash's leftover is emptied, a symlink refused. */
export const REPLACE_TEMP =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either the old or the new
 * content, never a torn file: write a temporary sibling, optionally fdatasync it (which also
 * flushes its size), rename it over. With `durable`, the folder is fsynced too so the rename
 * itself survives power loss. A crash may leave the temporary file behind.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  durable: boolean,
  { temp, beforeRename }: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = temp ?? `${path}.${randomSlice(6).toString('hex')}.tmp`
  const fd = await openFd(tmp, temp === undefined ? 'wx' : REPLACE_TEMP, 0o600)
  try {
    const bytes = Buffer.from(data)
    let written = 0
    while (written < bytes.length) {
      written += (await writeFd(fd, bytes, written, bytes.length - written, null)).bytesWritten
    }
    if (durable) await fdatasyncFd(fd)
  } catch (err) {
    await closeFd(fd)
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  await closeFd(fd)
  try {
    if (beforeRename === undefined) await rename(tmp, path)
    else {
      // Synchronously, so no other request of this process runs between the check and the
      // rename.
      beforeRename()
      renameSync(tmp, path)
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  if (durable) await syncDirectory(dirname(path))
}

interface DirSync {
  running?: Promise<void> | undefined
  next?: Promise<void> | undefined
}

const dirSyncs = new Map<string, DirSync>()

/**
 * fsyncs a folder so that entries created, renamed or removed in it before the call are
 * durable. Concurrent callers share fsyncs (group commit): a caller joins the next fsync that
 * starts after its call, never one already running (which may have missed its change), so at
 * most two are pending per folder however many creations run at once.
 */
export function syncDirectory(dir: string): Promise<void> {
  let state = dirSyncs.get(dir)
  if (state === undefined) {
    state = {}
    dirSyncs.set(dir, state)
  }
  const s = state
  if (s.running === undefined) return startSync(dir, s)
  if (s.next === undefined) {
    const after = (): Promise<void> => {
      s.next = undefined
      return startSync(dir, s)
    }
    s.next = s.running.then(after, after)
  }
  return s.next
}

function startSync(dir: string, s: DirSync): Promise<void> {
  const run = fsyncDirectory(dir).finally(() => {
    if (s.running === run) s.running = undefined
    if (s.running === undefined && s.next === undefined) dirSyncs.delete(dir)
  })
  s.running = run
  return run
}

async function fsyncDirectory(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r')
  try {
    await fsyncFd(fd)
  } finally {
    await closeFd(fd)
  }
}
