import { lstatSync } from 'node:fs'
import { lstat, opendir, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Deletes those of `paths` that exist. Nearly always none does (they are what a crash left),
 * so each is first looked up with a synchronous lstat that does not throw, a cached negative
 * lookup far cheaper than a failing unlink on the thread pool; one that is there is unlinked
 * on the pool (it may be large).
 */
export async function removeIfPresent(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    if (lstatSync(path, { throwIfNoEntry: false }) === undefined) continue
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
  }
}

/** Entries read per trip to the thread pool while listing (see {@link sweepTemporaries}). */
const LIST_BATCH = 1024

/**
 * Deletes the temporary files (`*.tmp`) in `dir` last written before `before`, whatever their
 * name's layout, and resolves with how many. The folder is read in batches, each a short job
 * on libuv's thread pool, so the appends that share the pool keep running however large the
 * folder is. The listing ends before the first file is deleted.
 */
export async function sweepTemporaries(dir: string, before: Date): Promise<number> {
  const names: string[] = []
  for await (const entry of await opendir(dir, { bufferSize: LIST_BATCH })) {
    if (entry.name.endsWith('.tmp')) names.push(entry.name)
  }
  let removed = 0
  for (const name of names) {
    const path = join(dir, name)
    const st = await lstat(path).catch(() => undefined)
    if (st === undefined || !st.isFile() || st.mtime >= before) continue
    await unlink(path).then(
      () => removed++,
      () => undefined,
    )
  }
  return removed
}
