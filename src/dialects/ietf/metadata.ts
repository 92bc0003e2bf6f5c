import { tusError } from '../../model/errors.js'
import { single } from '../../protocol/headers.js'
import { parseMetadata, stringifyMetadata } from '../../protocol/metadata.js'
import { type Metadata } from '../../model/upload.js'
import { OFFSET_OCTET_STREAM } from '../../protocol/constants.js'
import type { MethodContext } from '../../context/request.js'
import { dispositionFilename } from '../../protocol/disposition-filename.js'
import { PARTIAL_UPLOAD } from './interop.js'

// type "/" subtype *( OWS ";" OWS parameter ), loosely: tokens and quoted strings.
const MEDIA_TYPE =
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\\r\n]|\\.)*"))*$/

/**
 * The metadata of a draft creation request, in the keys the tus side uses, so hooks, HEAD
 * (`Upload-Metadata` for tus clients) and GET see one model:
 *
 * - `filename` from `Content-Disposition` (`filename*` preferred);
 * - `filetype` from `Content-Type`, the type of the representation being uploaded (not the
 *   framing types `application/partial-upload` and `application/offset+octet-stream`);
 * - any `Upload-Metadata` the client also sent (tus-js-client sends it in its draft modes),
 *   parsed as on the tus side; the two draft headers win over its `filename` / `filetype`.
 *
 * Malformed `Content-Disposition` or `Content-Type` values are ignored (they only name the
 * file); the whole metadata must fit in `maxMetadataSize` as on the tus side.
 */
export function creationMetadata(ctx: MethodContext): Metadata {
  const { headers } = ctx.req
  const max = ctx.options.maxMetadataSize
  const raw = single(headers['upload-metadata'])
  const metadata: Metadata = raw === undefined ? {} : parseMetadata(raw, max)
  const filename = dispositionFilename(headers['content-disposition'])
  if (filename !== undefined) metadata['filename'] = filename
  const filetype = representationType(headers['content-type'])
  if (filetype !== undefined) metadata['filetype'] = filetype
  if (Buffer.byteLength(stringifyMetadata(metadata)) > max) throw tusError('ERR_METADATA_TOO_LARGE')
  return metadata
}

function representationType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const type = value.trim()
  if (!MEDIA_TYPE.test(type)) return undefined
  const essence = type.split(';')[0]!.trim().toLowerCase()
  if (essence === PARTIAL_UPLOAD || essence === OFFSET_OCTET_STREAM) return undefined
  return type
}
