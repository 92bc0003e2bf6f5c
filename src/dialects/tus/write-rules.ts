import { TusError, tusError } from '../../model/errors.js'
import { declareLength } from '../../uploads/declare-length.js'
import type { CreationRules } from '../../uploads/create-and-write.js'

/** tus 1.0's refusals in the shared write and creation paths (PATCH, POST with a body). */
export const TUS_WRITES: CreationRules = {
  offsetMismatch: (_uctx, upload) =>
    tusError('ERR_OFFSET_MISMATCH', undefined, { 'Upload-Offset': String(upload.offset) }),
  declareLength,
  // tus writes never say they end the upload: a body past its length is the one conflict.
  lengthConflict: () => tusError('ERR_BODY_TOO_LARGE'),
  withHeaders: (err, headers) =>
    new TusError(err.code, err.status, err.message, { ...err.headers, ...headers }),
}
