import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTusHandler,
  FileStore,
  type TusHandler,
  type TusHandlerOptions,
} from '../../src/index.js'

/** A real tuskit server on 127.0.0.1 with a FileStore in a fresh temp folder. */
export interface TestServer {
  server: Server
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** `origin + path` (the creation URL). */
  endpoint: string
  directory: string
  store: FileStore
  /** The tuskit handler itself (events, deleteExpired). */
  handler: TusHandler
  close(): Promise<void>
}

export async function startServer(
  options: TusHandlerOptions = {},
  storeOptions: { fsync?: boolean; directory?: string } = {},
): Promise<TestServer> {
  const directory = storeOptions.directory ?? (await mkdtemp(join(tmpdir(), 'tuskit-test-')))
  const store = new FileStore({ directory, fsync: storeOptions.fsync ?? false })
  const tus = createTusHandler(store, options)
  const server = createServer((req, res) =>
    tus(req, res, (err) => {
      res.statusCode = err ? 500 : 404
      res.end(err ? 'error' : 'not found')
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    server,
    origin,
    endpoint: `${origin}${options.path ?? '/files'}`,
    directory,
    store,
    handler: tus,
    async close() {
      tus.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (storeOptions.directory === undefined)
        await rm(directory, { recursive: true, force: true })
    },
  }
}

/**
 * Runs `fn` against a fresh `startServer(options, storeOptions)` and closes the server after,
 * whether `fn` succeeds or throws.
 */
export async function withServer<T>(fn: (s: TestServer) => Promise<T>): Promise<T>
export async function withServer<T>(
  options: TusHandlerOptions,
  fn: (s: TestServer) => Promise<T>,
): Promise<T>
export async function withServer<T>(
  options: TusHandlerOptions,
  storeOptions: Parameters<typeof startServer>[1],
  fn: (s: TestServer) => Promise<T>,
): Promise<T>
export async function withServer<T>(...args: unknown[]): Promise<T> {
  const fn = args.pop() as (s: TestServer) => Promise<T>
  const s = await startServer(...(args as Parameters<typeof startServer>))
  try {
    return await fn(s)
  } finally {
    await s.close()
  }
}
