import { SUPPORTED_VERSIONS } from '../../protocol/constants.js'
import { CHECKSUM_ALGORITHMS } from '../../protocol/checksum.js'
import type { MethodContext, TusResponse } from '../../context/request.js'

/** OPTIONS: what this server supports. Needs no Tus-Resumable and no existing upload. */
export function handleOptions(ctx: MethodContext): TusResponse {
  const { extensions, maxSize } = ctx
  const headers: Record<string, string> = { 'Tus-Version': SUPPORTED_VERSIONS.join(',') }
  if (extensions.length > 0) headers['Tus-Extension'] = extensions.join(',')
  if (extensions.includes('checksum')) {
    headers['Tus-Checksum-Algorithm'] = CHECKSUM_ALGORITHMS.join(',')
  }
  if (maxSize !== undefined) headers['Tus-Max-Size'] = String(maxSize)
  return { status: 204, headers }
}
