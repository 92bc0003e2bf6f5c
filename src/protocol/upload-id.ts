import { randomBytes } from 'node:crypto'

// URL-safe, no dots and no slashes: an id can never name another file or leave a folder.
const ID = /^[A-Za-z0-9_-]{1,128}$/

/** Whether `id` is safe to use as an upload id (and so as a file or object name). */
export function isValidUploadId(id: string): boolean {
  return ID.test(id)
}

/** A random 128-bit upload id, base64url encoded (22 characters). */
export function newUploadId(): string {
  return randomBytes(16).toString('base64url')
}
