/**
 * tuskit: resumable uploads over tus 1.0 for any Node.js server. What an app needs: the
 * handler, a store, a locker, the options and hook types, and the errors hooks throw or
 * read. Helpers for writing a store of your own are in `tuskit/store`.
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
export { createTusHandler, type TusHandler, type NextFunction } from './adapters/node/handler.js'
export type { TusHandlerOptions, MaxSize } from './context/options.js'
export type { MultipartOptions } from './context/multipart-options.js'
export type { CorsOptions } from './context/cors-options.js'
export { createTusCore, type TusCore } from './endpoint/core.js'
export type { CoreRequest, TusResponse } from './context/request.js'
export type {
  TusHooks,
  HookRequest,
  UploadCreateResult,
  UploadFinishResult,
  ErrorReplacement,
} from './context/hooks.js'
export type { TusEvents, TusEventMap } from './context/events.js'
export { FileStore, type FileStoreOptions } from './stores/file/file-store.js'
export type { UploadStore } from './stores/upload-store.js'
export type { Upload, Metadata } from './model/upload.js'
export type { Locker, Release } from './lockers/locker.js'
export { MemoryLocker, type MemoryLockerOptions } from './lockers/memory-locker.js'
export { TusError, ERRORS, isTusError, type TusErrorCode } from './model/errors.js'
