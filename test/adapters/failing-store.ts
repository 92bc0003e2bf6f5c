import type { UploadStore } from '../../src/index.js'

/** A store that fails every call with a plain error (a storage failure, not a TusError). */
export function failingStore(): UploadStore {
  const fail = (): Promise<never> => Promise.reject(new Error('disk on fire'))
  return { capabilities: new Set(), create: fail, get: fail, append: fail }
}
