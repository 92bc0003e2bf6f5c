import type { Server } from 'node:http'

export interface ShutdownOptions {
  /** How long requests still running (an upload's PATCH) may take before being cut off. */
  graceMs: number
  /** Where progress lines go. */
  log: (line: string) => void
}

/**
 * Stops `server` gracefully on SIGINT or SIGTERM: no new connections, idle ones closed at once,
 * running requests given `graceMs` to finish and then cut off. Cutting a PATCH off loses
 * nothing: the store keeps the bytes received and the client resumes from there. The process
 * then exits by itself once nothing is left to do; a second signal exits at once.
 */
export function stopOnSignals(server: Server, options: ShutdownOptions): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.log(`tuskit: ${signal} again, exiting now`)
      process.exit(1)
    }
    stopping = true
    options.log(`tuskit: ${signal} received, shutting down`)
    // Connections that finish their request while we wait are closed as soon as they idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 100)
    const cutOff = setTimeout(() => server.closeAllConnections(), options.graceMs)
    // A store operation that never settles must not keep the process alive forever.
    const deadline = setTimeout(() => process.exit(1), options.graceMs + 5000)
    deadline.unref()
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(cutOff)
      options.log('tuskit: stopped')
    })
    server.closeIdleConnections()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
