import { randomFillSync } from 'node:crypto'

// URL-safe, no dots and no slashes: an id can never name another file or leave a folder.
const ID = /^[A-Za-z0-9_-]{1,128}$/

/** Whether `id` is safe to use as an upload id (and so as a file or object name). */
export function isValidUploadId(id: string): boolean {
  return ID.test(id)
}

/** A random 128-bit upload id, base64url encoded (22 characters). */
export function newUploadId(): string {
  return randomSlice(16).toString('base64url')
}

// Cryptographically random bytes drawn from the CSPRNG 4 KiB at a time rather than with one
// system call per id; every byte is handed out once.
const POOL_SIZE = 4096
const pool = Buffer.allocUnsafe(POOL_SIZE)
let poolOffset = POOL_SIZE

/** `n` (at most 4096) fresh random bytes; the view is only valid until the next call. */
export function randomSlice(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const out = pool.subarray(poolOffset, poolOffset + n)
  poolOffset += n
  return out
}
