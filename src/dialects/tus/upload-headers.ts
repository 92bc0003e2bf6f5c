import { stringifyMetadata } from '../../protocol/metadata.js'
import type { Upload } from '../../model/upload.js'

/** The headers that describe an upload's state on HEAD. */
export function uploadStateHeaders(upload: Upload): Record<string, string> {
  const headers: Record<string, string> = {
    'Upload-Offset': String(upload.offset),
    'Cache-Control': 'no-store',
  }
  if (upload.size === undefined) headers['Upload-Defer-Length'] = '1'
  else headers['Upload-Length'] = String(upload.size)
  const metadata = stringifyMetadata(upload.metadata)
  if (metadata !== '') headers['Upload-Metadata'] = metadata
  return headers
}
