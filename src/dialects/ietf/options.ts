import type { MethodContext, TusResponse } from '../../context/request.js'
import { uploadLimit } from './fields.js'
import { PARTIAL_UPLOAD } from './interop.js'

/**
 * Draft OPTIONS: `Upload-Limit` (`min-size=0` without limits, `max-size` with `maxSize`),
 * and `Accept-Patch: application/partial-upload`, which drafts -10 and -11 ask for.
 */
export function handleDraftOptions(ctx: MethodContext): TusResponse {
  return {
    status: 204,
    headers: { 'Upload-Limit': uploadLimit(ctx), 'Accept-Patch': PARTIAL_UPLOAD },
  }
}
