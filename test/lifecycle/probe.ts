import { EventEmitter } from 'node:events'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { TusError, TusHandlerOptions, Upload } from '../../src/index.js'
import { storedBytes } from '../helpers/files.js'
import { startServer, type TestServer } from '../helpers/server.js'

/**
 * A real endpoint (node:http on 127.0.0.1, FileStore in a temp folder) that records what the
 * application sees: every `onUploadFinish` call, every `progress`, `finished` and `created`
 * event, and every error answered (through `onResponseError`, which runs once a failed
 * request is over, even when its client is gone). Waits are event-driven and bounded.
 */
export interface Probe {
  readonly server: TestServer
  readonly port: number
  /** Uploads `onUploadFinish` was called with. */
  readonly finishCalls: Upload[]
  /** Offsets of the `finished` events. */
  readonly finished: number[]
  /** Offsets of the `progress` events. */
  readonly progress: number[]
  /** Ids of the `created` events. */
  readonly created: string[]
  /** Codes of the errors the endpoint answered with. */
  readonly errors: string[]
  /** Resolves `true` once `cond()` holds (checked at each record), `false` after `ms`. */
  until(cond: () => boolean, ms: number): Promise<boolean>
  /** Bytes stored for `id` (its FileStore data file). */
  bytes(id: string): Promise<Buffer>
  /** Bytes in every data file of the store folder (info files excluded). */
  totalStored(): Promise<number>
  close(): Promise<void>
}

export interface ProbeOptions {
  /** Replaces the default finish hook (which adds `X-Finished: yes` to the response). */
  readonly finishHook?: () => never
  readonly bodyIdleTimeout?: number
}

/** Header the default finish hook adds to the response that completed an upload. */
export const FINISH_HEADER = 'x-finished'

export async function startProbe(options: ProbeOptions = {}): Promise<Probe> {
  const changes = new EventEmitter()
  const finishCalls: Upload[] = []
  const errors: string[] = []
  const tusOptions: TusHandlerOptions = {
    onUploadFinish: (_req, upload) => {
      finishCalls.push(upload)
      changes.emit('change')
      if (options.finishHook) options.finishHook()
      return { headers: { [FINISH_HEADER]: 'yes' } }
    },
    onResponseError: (_req, err: TusError) => {
      errors.push(err.code)
      changes.emit('change')
    },
  }
  if (options.bodyIdleTimeout !== undefined) tusOptions.bodyIdleTimeout = options.bodyIdleTimeout
  const server = await startServer(tusOptions)
  const finished: number[] = []
  const progress: number[] = []
  const created: string[] = []
  const { events } = server.handler
  events.on('finished', (u) => {
    finished.push(u.offset)
    changes.emit('change')
  })
  events.on('progress', (u) => {
    progress.push(u.offset)
    changes.emit('change')
  })
  events.on('created', (u) => {
    created.push(u.id)
    changes.emit('change')
  })
  return {
    server,
    port: Number(new URL(server.origin).port),
    finishCalls,
    finished,
    progress,
    created,
    errors,
    until(cond, ms) {
      if (cond()) return Promise.resolve(true)
      return new Promise((resolve) => {
        const check = (): void => {
          if (!cond()) return
          done()
          resolve(true)
        }
        const timer = setTimeout(() => {
          done()
          resolve(false)
        }, ms)
        const done = (): void => {
          clearTimeout(timer)
          changes.off('change', check)
        }
        changes.on('change', check)
      })
    },
    bytes: (id) => storedBytes(join(server.directory, id)),
    async totalStored() {
      let total = 0
      for (const name of await readdir(server.directory)) {
        if (!name.includes('.')) total += (await stat(join(server.directory, name))).size
      }
      return total
    },
    close: () => server.close(),
  }
}

/**
 * Waits, polling every few milliseconds, until the store holds `length` bytes for `id`: the
 * server has read and written them (a test cuts or stalls a body only after that, so what
 * the server keeps is known). Rejects after `ms`.
 */
export async function storedAtLeast(
  probe: Probe,
  id: () => string | undefined,
  length: number,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const current = id()
    if (current !== undefined && (await probe.bytes(current)).length >= length) return
    if (Date.now() > deadline) {
      throw new Error(`the store did not hold ${length} bytes of the upload within ${ms} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
