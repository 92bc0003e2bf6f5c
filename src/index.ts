/**
 * tuskit: resumable uploads over tus 1.0 for any Node.js server.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createTusHandler, FileStore } from 'tuskit'
 *
 * const app = express()
 * app.use('/files', createTusHandler(new FileStore({ directory: './uploads' })))
 * app.listen(1080)
 * ```
 * @module
 */
export { createTusHandler, type TusHandler, type NextFunction } from './handler/create-handler.js'
export type { TusHandlerOptions } from './options.js'
export { FileStore, type FileStoreOptions } from './stores/file/file-store.js'
export {
  isComplete,
  type Capability,
  type Upload,
  type UploadInit,
  type UploadStore,
  type AppendOptions,
} from './stores/upload-store.js'
export type { Locker, Release } from './lockers/locker.js'
export { MemoryLocker, type MemoryLockerOptions } from './lockers/memory-locker.js'
export { TusError, ERRORS, tusError, isTusError, type TusErrorCode } from './protocol/errors.js'
export { parseMetadata, stringifyMetadata, type Metadata } from './protocol/metadata.js'
export { isValidUploadId, newUploadId } from './protocol/upload-id.js'
export { TUS_VERSION } from './protocol/constants.js'
