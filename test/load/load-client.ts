/**
 * Client side of the load and memory tests: streamed bodies generated on the fly (never a
 * whole upload in memory) with their sha256, plain requests over a given agent, and the
 * probe server's statistics.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { request, type Agent } from 'node:http'
import { Readable } from 'node:stream'
import type { ChildServer } from '../fixtures/child-server.js'
import type { ProbeStats } from '../fixtures/probe-server.js'

export const MiB = 1024 * 1024

/**
 * `length` bytes made of one random 1 MiB block, each copy stamped with its index so no two
 * MiB are equal; fed to `hash` as they are produced. Cheap enough for gigabytes.
 */
export function generated(
  length: number,
  hash: Hash,
  seedBlock = randomBytes(MiB),
  firstIndex = 0,
): Readable {
  let index = firstIndex
  let left = length
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (left === 0) {
        this.push(null)
        return
      }
      const n = Math.min(MiB, left)
      const block = Buffer.from(seedBlock.subarray(0, n))
      if (n >= 8) block.writeBigUInt64BE(BigInt(index++), 0)
      left -= n
      hash.update(block)
      this.push(block)
    },
  })
}

export interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** One request; `body` a Buffer or a stream. Rejects on a socket error or after `timeoutMs`. */
export function send(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: Buffer | Readable,
  { agent, timeoutMs = 120_000 }: { agent?: Agent | false; timeoutMs?: number } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: agent ?? false, timeout: timeoutMs })
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)))
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    if (body === undefined) req.end()
    else if (Buffer.isBuffer(body)) req.end(body)
    else body.pipe(req)
  })
}

export const TUS = { 'Tus-Resumable': '1.0.0' } as const
export const OCTET = 'application/offset+octet-stream'

/** Hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i] as T, i)
      }
    }),
  )
  return out
}

export function stats(server: ChildServer): Promise<ProbeStats> {
  return server.ask<ProbeStats>({ cmd: 'stats' })
}

/** Resets the server's peak RSS; resolves with its RSS then (KiB). */
export async function resetPeak(server: ChildServer): Promise<number> {
  const r = await server.ask<{ ok: boolean; vmRSS: number; error?: string }>({ cmd: 'reset-peak' })
  if (!r.ok) throw new Error(`cannot reset the peak RSS: ${r.error}`)
  return r.vmRSS
}

export const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`
