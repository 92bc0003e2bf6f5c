import { createHash } from 'node:crypto'
import * as zlib from 'node:zlib'
import { tusError } from '../model/errors.js'
import { single, type HeaderValue } from './headers.js'
import type { ChecksumSpec } from '../model/upload.js'

/**
 * tus `checksum`: `Upload-Checksum: <algorithm> <base64 digest>`. Parsing only, no I/O; the
 * digests are computed by the store while the body streams (see {@link createDigester}).
 */

/** A parsed `Upload-Checksum`. */
export interface Checksum {
  /** Lower-case algorithm name, one of {@link CHECKSUM_ALGORITHMS}. */
  readonly algorithm: string
  /** The raw digest bytes (decoded from Base64). */
  readonly digest: Buffer
}

/** Computes one digest incrementally. */
export interface Digester {
  update(chunk: Uint8Array): void
  /** The digest of everything passed to `update`; call once. */
  digest(): Buffer
}

// `zlib.crc32` arrived in Node 20.15 / 22.2: offered only where the runtime has it.
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

/** Digest length in bytes of each supported algorithm, in advertised order. */
const DIGEST_BYTES: ReadonlyMap<string, number> = new Map([
  ['sha1', 20],
  ['md5', 16],
  ['sha256', 32],
  ['sha512', 64],
  ...(typeof crc32 === 'function' ? ([['crc32', 4]] as const) : []),
])

/** The algorithms this server verifies, as sent in `Tus-Checksum-Algorithm`; `sha1` first. */
export const CHECKSUM_ALGORITHMS: readonly string[] = [...DIGEST_BYTES.keys()]

/** Whether `algorithm` (exact, lower case) is one of {@link CHECKSUM_ALGORITHMS}. */
export function isSupportedChecksumAlgorithm(algorithm: string): boolean {
  return DIGEST_BYTES.has(algorithm)
}

const ALGORITHM = /^[a-z0-9-]+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function malformed(reason: string): never {
  throw tusError('ERR_INVALID_CHECKSUM', `Upload-Checksum is malformed: ${reason}`)
}

/**
 * Parses an `Upload-Checksum` value: a lower-case algorithm, exactly one space, a strict
 * Base64 digest of the algorithm's length. Throws a 400 `TusError`:
 * `ERR_UNSUPPORTED_CHECKSUM` for a well-formed but unknown algorithm,
 * `ERR_INVALID_CHECKSUM` for anything else (a repeated header included).
 */
export function parseChecksum(value: HeaderValue): Checksum {
  const v = single(value)
  if (v === undefined) malformed('empty')
  const space = v.indexOf(' ')
  if (space === -1) malformed('expected "<algorithm> <base64 digest>"')
  const algorithm = v.slice(0, space)
  const encoded = v.slice(space + 1)
  if (!ALGORITHM.test(algorithm)) malformed('the algorithm must be lower-case ASCII')
  const length = DIGEST_BYTES.get(algorithm)
  if (length === undefined) {
    throw tusError(
      'ERR_UNSUPPORTED_CHECKSUM',
      `checksum algorithm "${algorithm}" is not supported; use one of ${CHECKSUM_ALGORITHMS.join(',')}`,
    )
  }
  if (encoded === '' || !BASE64.test(encoded)) malformed('the digest is not Base64')
  const digest = Buffer.from(encoded, 'base64')
  if (digest.length !== length) {
    malformed(`a ${algorithm} digest is ${length} bytes, got ${digest.length}`)
  }
  return { algorithm, digest }
}

/**
 * Whether a `Trailer` header announces `Upload-Checksum` (names are a comma-separated,
 * case-insensitive list; repeated `Trailer` headers count together).
 */
export function announcesChecksumTrailer(trailer: HeaderValue): boolean {
  if (trailer === undefined) return false
  const values = typeof trailer === 'string' ? [trailer] : trailer
  return values.some((v) =>
    v.split(',').some((name) => name.trim().toLowerCase() === 'upload-checksum'),
  )
}

/** A digester for a supported algorithm; throws for an unsupported one. */
export function createDigester(algorithm: string): Digester {
  if (!DIGEST_BYTES.has(algorithm)) throw tusError('ERR_UNSUPPORTED_CHECKSUM')
  if (algorithm === 'crc32' && crc32 !== undefined) {
    let value = 0
    return {
      update: (chunk) => void (value = crc32(chunk, value)),
      digest: () => {
        const out = Buffer.alloc(4)
        out.writeUInt32BE(value >>> 0)
        return out
      },
    }
  }
  const hash = createHash(algorithm)
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => hash.digest(),
  }
}

/** Digests a body for a {@link ChecksumSpec} and checks it once the body has ended. */
export interface ChecksumVerifier {
  update(chunk: Uint8Array): void
  /**
   * Compares the digest with `spec.expected()`. Throws a 460 `TusError` on a mismatch, or the
   * 400 that `expected()` throws for a malformed trailer; returns quietly when it matches or
   * no checksum arrived after all.
   */
  verify(): void
}

/** What a store uses to honour `AppendOptions.checksum`: feed it every byte, then `verify()`. */
export function createChecksumVerifier(spec: ChecksumSpec): ChecksumVerifier {
  const digesters = new Map(spec.algorithms.map((a) => [a, createDigester(a)] as const))
  return {
    update(chunk) {
      for (const d of digesters.values()) d.update(chunk)
    },
    verify() {
      const expected = spec.expected()
      if (expected === undefined) return
      const digester = digesters.get(expected.algorithm)
      if (digester === undefined) throw tusError('ERR_UNSUPPORTED_CHECKSUM')
      if (!digester.digest().equals(expected.digest)) throw tusError('ERR_CHECKSUM_MISMATCH')
    },
  }
}
