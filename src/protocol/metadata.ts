import { tusError } from '../model/errors.js'
import type { Metadata } from '../model/upload.js'

// Printable ASCII minus space and comma: what a key may hold.
const KEY = /^[\x21-\x2b\x2d-\x7e]+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

function invalid(reason: string): never {
  throw tusError('ERR_INVALID_METADATA', `Upload-Metadata is malformed: ${reason}`)
}

/**
 * Parses `Upload-Metadata` (`key b64,key2 b64,key3`). Keys must be unique printable ASCII;
 * values strict Base64 of UTF-8 text. An empty header means no metadata.
 * Throws a 400 `TusError` naming the first fault.
 */
export function parseMetadata(header: string, maxBytes = Infinity): Metadata {
  if (header.length > maxBytes) throw tusError('ERR_METADATA_TOO_LARGE')
  const out: Metadata = Object.create(null) as Metadata
  if (header.trim() === '') return out
  for (const pair of header.split(',')) {
    const trimmed = pair.trim()
    const space = trimmed.indexOf(' ')
    const key = space === -1 ? trimmed : trimmed.slice(0, space)
    const value = space === -1 ? '' : trimmed.slice(space + 1)
    if (!KEY.test(key)) invalid('empty or non-ASCII key')
    if (Object.hasOwn(out, key)) invalid(`duplicate key "${key}"`)
    if (value.includes(' ')) invalid(`more than one space in "${key}"`)
    if (!BASE64.test(value)) invalid(`value of "${key}" is not Base64`)
    if (value === '') {
      out[key] = null
      continue
    }
    try {
      out[key] = utf8.decode(Buffer.from(value, 'base64'))
    } catch {
      invalid(`value of "${key}" is not UTF-8`)
    }
  }
  return out
}

/**
 * Serialises metadata back to the header form; valueless keys carry no trailing space. Only
 * what `Upload-Metadata` can carry is written: a key `parseMetadata` would take, with a string
 * value or `null`. Other entries (a hook's key with a space, an info file edited to hold a
 * CR/LF) are left out, so the header is always sendable and parses back as it was written.
 */
export function stringifyMetadata(metadata: Readonly<Metadata>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(metadata) as [string, unknown][]) {
    if (!KEY.test(key)) continue
    if (value === null) parts.push(key)
    else if (typeof value === 'string') {
      parts.push(`${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    }
  }
  return parts.join(',')
}
