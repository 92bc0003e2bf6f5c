import { open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { randomSlice } from '../../protocol/upload-id.js'

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either the old or the new
 * content, never a torn file: write a temporary sibling, optionally fdatasync it (which also
 * flushes its size), rename it over. With `durable`, the folder is fsynced too so the rename
 * itself survives power loss.
 */
export async function writeFileAtomic(path: string, data: string, durable: boolean): Promise<void> {
  const tmp = `${path}.${randomSlice(6).toString('hex')}.tmp`
  const fh = await open(tmp, 'wx', 0o600)
  try {
    const bytes = Buffer.from(data)
    let written = 0
    while (written < bytes.length) {
      written += (await fh.write(bytes, written, bytes.length - written)).bytesWritten
    }
    if (durable) await fh.datasync()
  } catch (err) {
    await fh.close()
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  await fh.close()
  try {
    await rename(tmp, path)
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
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
