import {
  CHECKSUM_ALGORITHMS,
  announcesChecksumTrailer,
  parseChecksum,
} from '../protocol/checksum.js'
import { tusError } from '../model/errors.js'
import type { ChecksumSpec } from '../model/upload.js'
import type { MethodContext } from '../context/request.js'

/**
 * The `AppendOptions.checksum` of a request carrying upload bytes (PATCH, creation-with-upload),
 * validated before anything is stored:
 *
 * - `Upload-Checksum` header (tus `checksum`): parsed now; 400 when malformed or when it names
 *   an algorithm not offered.
 * - `Trailer: Upload-Checksum` (tus `checksum-trailer`): the checksum is read from the trailer
 *   once the body has ended, so every offered algorithm is computed meanwhile. A trailer that
 *   was announced but never sent means no checksum; the append is still all or nothing.
 * - Both: 400, the request is ambiguous.
 *
 * `undefined` without either, and when the store has no `checksum` capability: such a server
 * does not offer the extension, so the headers mean nothing to it.
 */
export function checksumOption(ctx: MethodContext): ChecksumSpec | undefined {
  if (!ctx.store.capabilities.has('checksum')) return undefined
  const { headers, trailers } = ctx.req
  const header = headers['upload-checksum']
  const trailer = announcesChecksumTrailer(headers['trailer'])
  if (header !== undefined && trailer) {
    throw tusError(
      'ERR_INVALID_CHECKSUM',
      'send Upload-Checksum either as a header or as a trailer, not both',
    )
  }
  if (header !== undefined) {
    const checksum = parseChecksum(header)
    return { algorithms: [checksum.algorithm], expected: () => checksum }
  }
  if (!trailer) return undefined
  if (trailers === undefined) {
    throw tusError('ERR_INVALID_CHECKSUM', 'this server cannot read an Upload-Checksum trailer')
  }
  return {
    algorithms: CHECKSUM_ALGORITHMS,
    expected: () => {
      const value = trailers()['upload-checksum']
      return value === undefined ? undefined : parseChecksum(value)
    },
  }
}
