/**
 * tuskit/store: what a store author needs to implement `UploadStore`. The store-side types,
 * the errors a store throws, and the helpers tuskit's own `FileStore` uses: upload ids,
 * metadata encoding and checksum verification. Check a store with `runStoreContract` from
 * `tuskit/testing`.
 *
 * @example
 * ```ts
 * import { isValidUploadId, tusError, type UploadStore } from 'tuskit/store'
 * ```
 * @module
 */
export type { UploadStore } from './stores/upload-store.js'
export {
  isComplete,
  type Capability,
  type Upload,
  type UploadInit,
  type AppendOptions,
  type ChecksumSpec,
  type ConcatInfo,
  type Metadata,
} from './model/upload.js'
export { TusError, ERRORS, tusError, isTusError, type TusErrorCode } from './model/errors.js'
export { parseMetadata, stringifyMetadata } from './protocol/metadata.js'
export { isValidUploadId, newUploadId } from './protocol/upload-id.js'
export {
  CHECKSUM_ALGORITHMS,
  createChecksumVerifier,
  parseChecksum,
  type Checksum,
  type ChecksumVerifier,
} from './protocol/checksum.js'
export { TUS_VERSION } from './protocol/constants.js'
