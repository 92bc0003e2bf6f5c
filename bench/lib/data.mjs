// Deterministic source data, generated as it is sent: never a whole upload in memory.
//
// Upload `u` is a sequence of 1 MiB units. Unit `k` is one fixed pseudo-random 1 MiB block
// whose first 24 bytes are replaced by a header naming (u, k). Every unit is thus distinct, so
// the sha256 of a stored file catches lost, repeated, reordered or misplaced bytes, yet sending
// costs no copying: a request body is a list of views of the shared block plus tiny headers.
import { createCipheriv, createHash } from 'node:crypto'

export const UNIT = 1024 * 1024
const HEADER = 24
const MAGIC = Buffer.from('TUSBENCH')

// AES-128-CTR over zeros with a fixed key: a reproducible pseudo-random block.
const BLOCK = (() => {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 3))
  return Buffer.concat([cipher.update(Buffer.alloc(UNIT)), cipher.final()])
})()

function header(u, k) {
  const h = Buffer.allocUnsafe(HEADER)
  MAGIC.copy(h, 0)
  h.writeUInt32BE(u, 8)
  h.writeUInt32BE(0, 12)
  h.writeUInt32BE(Math.floor(k / 2 ** 32), 16)
  h.writeUInt32BE(k % 2 ** 32, 20)
  return h
}

/**
 * The bytes [start, end) of upload `u` as views, grouped per 1 MiB unit so that a writer can
 * cork and flush once per unit.
 */
export function* unitsOf(u, start, end) {
  let pos = start
  while (pos < end) {
    const k = Math.floor(pos / UNIT)
    const unitStart = k * UNIT
    const a = pos - unitStart
    const b = Math.min(end - unitStart, UNIT)
    const parts = []
    if (a < HEADER) parts.push(header(u, k).subarray(a, Math.min(b, HEADER)))
    if (b > HEADER) parts.push(BLOCK.subarray(Math.max(a, HEADER), b))
    yield parts
    pos = unitStart + b
  }
}

const shaCache = new Map()

/** sha256 (hex) of the first `size` bytes of upload `u`; cached. */
export function expectedSha256(u, size) {
  const key = `${u}:${size}`
  let hex = shaCache.get(key)
  if (hex === undefined) {
    const hash = createHash('sha256')
    for (const parts of unitsOf(u, 0, size)) for (const p of parts) hash.update(p)
    hex = hash.digest('hex')
    shaCache.set(key, hex)
  }
  return hex
}
