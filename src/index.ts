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
export type { TusHandlerOptions, MaxSize } from './options.js'
export type { MultipartOptions } from './methods/multipart-options.js'
export type { CorsOptions } from './handler/cors.js'
export { createTusCore, type TusCore } from './handler/tus-core.js'
export type { CoreRequest, TusResponse } from './handler/types.js'
export type {
  TusHooks,
  HookRequest,
  UploadCreateResult,
  UploadFinishResult,
  ErrorReplacement,
} from './handler/hooks.js'
export type { TusEvents, TusEventMap } from './handler/events.js'
export { FileStore, type FileStoreOptions } from './stores/file/file-store.js'
export {
  isComplete,
  type Capability,
  type Upload,
  type UploadInit,
  type UploadStore,
  type AppendOptions,
  type ChecksumSpec,
  type ConcatInfo,
} from './stores/upload-store.js'
export type { Locker, Release } from './lockers/locker.js'
export { MemoryLocker, type MemoryLockerOptions } from './lockers/memory-locker.js'
export { TusError, ERRORS, tusError, isTusError, type TusErrorCode } from './protocol/errors.js'
export { parseMetadata, stringifyMetadata, type Metadata } from './protocol/metadata.js'
export { isValidUploadId, newUploadId } from './protocol/upload-id.js'
export {
  CHECKSUM_ALGORITHMS,
  createChecksumVerifier,
  parseChecksum,
  type Checksum,
  type ChecksumVerifier,
} from './protocol/checksum.js'
export { TUS_VERSION } from './protocol/constants.js'
