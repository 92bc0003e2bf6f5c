import { createHash, randomFill } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

function fillRandom(buf: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    randomFill(buf, (err, filled) => (err ? reject(err) : resolve(filled))),
  )
}

export const KiB = 1024
export const MiB = 1024 * 1024

/** A fresh folder under the OS temp folder; remove it with {@link removeDir}. */
export function makeTempDir(prefix = 'tuskit-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true })
}

/**
 * Writes `size` random bytes to `path`, streaming: at most one `blockSize` buffer is held at
 * a time and the file stream's backpressure is honoured.
 */
export async function writeRandomFile(
  path: string,
  size: number,
  blockSize = MiB,
): Promise<string> {
  async function* blocks(): AsyncGenerator<Buffer> {
    let left = size
    while (left > 0) {
      const n = Math.min(blockSize, left)
      yield await fillRandom(Buffer.allocUnsafe(n))
      left -= n
    }
  }
  await pipeline(Readable.from(blocks()), createWriteStream(path, { flags: 'wx' }))
  return path
}

/**
 * Hex sha256 of a file, or of its bytes `[start, end)`, computed by streaming.
 */
export async function sha256File(
  path: string,
  range: { start?: number; end?: number } = {},
): Promise<string> {
  const hash = createHash('sha256')
  const { start = 0, end } = range
  if (end !== undefined && end <= start) return hash.digest('hex')
  const stream = createReadStream(path, end === undefined ? { start } : { start, end: end - 1 })
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

/**
 * Size of a FileStore data file. The store creates the data file with an upload's first
 * byte, so while it does not exist the upload has 0 bytes stored and this returns 0. Only a
 * missing file (`ENOENT`) maps to 0; any other error is rethrown. Also fits the store's other
 * files that come and go (`.chunk`, `.tmp`).
 */
export async function storedSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if (isMissing(err)) return 0
    throw err
  }
}

/**
 * Bytes of a FileStore data file: an empty Buffer while it does not exist (no byte stored
 * yet, see {@link storedSize}). Only a missing file (`ENOENT`) maps to empty; any other
 * error is rethrown.
 */
export async function storedBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    if (isMissing(err)) return Buffer.alloc(0)
    throw err
  }
}

/**
 * Compares the first `length` bytes of two files, block by block without loading either.
 * Returns the index of the first differing byte, or -1 when the prefixes are equal. A file
 * shorter than `length` differs at its end.
 */
export async function firstDifference(a: string, b: string, length: number): Promise<number> {
  const fa = await open(a, 'r')
  try {
    const fb = await open(b, 'r')
    try {
      const bufA = Buffer.allocUnsafe(MiB)
      const bufB = Buffer.allocUnsafe(MiB)
      let pos = 0
      while (pos < length) {
        const want = Math.min(MiB, length - pos)
        const [ra, rb] = await Promise.all([
          readFully(fa, bufA, want, pos),
          readFully(fb, bufB, want, pos),
        ])
        const n = Math.min(ra, rb)
        if (!bufA.subarray(0, n).equals(bufB.subarray(0, n))) {
          for (let i = 0; i < n; i++) if (bufA[i] !== bufB[i]) return pos + i
        }
        if (n < want) return pos + n
        pos += want
      }
      return -1
    } finally {
      await fb.close()
    }
  } finally {
    await fa.close()
  }
}

async function readFully(
  fh: Awaited<ReturnType<typeof open>>,
  buf: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let got = 0
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return got
}
