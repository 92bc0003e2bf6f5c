import type { Readable } from 'node:stream'

/** What {@link watchIdle} returns. */
export interface IdleWatch {
  /** Aborts when `parent` aborts (with its reason) or when the body went idle (`reason`). */
  readonly signal: AbortSignal
  /** Whether the body went idle (as opposed to `parent` aborting). */
  readonly timedOut: boolean
  /** Stops watching; call once the body has been consumed or given up. */
  stop(): void
}

/**
 * Watches a request body for a client that stops sending (slowloris, or a dead connection
 * left open): the returned signal aborts with `reason` once no byte has arrived for `ms`
 * while the consumer is waiting for bytes. Time spent with bytes buffered, or with the
 * consumer paused (backpressure from a slow disk), never counts: only the client's silence
 * does. `parent` (the lock's interrupt) is forwarded. `ms` of 0 only forwards `parent`.
 *
 * The body's flow is left alone: bytes are observed with a `data` listener added through
 * `prependListener`, which, unlike `on('data')`, does not switch the stream into flowing
 * mode, so no byte can be emitted before the store starts reading.
 */
export function watchIdle(
  body: Readable,
  ms: number,
  parent: AbortSignal,
  reason: () => Error,
): IdleWatch {
  const controller = new AbortController()
  let last = Date.now()
  // Set on every chunk and folded into `last` by the timer: a chunk costs one store, not a
  // clock read. The timer looks every quarter of `ms`, so a silence is noticed after between
  // `ms` and 1.25 × `ms`.
  let seen = false
  const tick = Math.max(1, Math.ceil(ms / 4))
  let timer: NodeJS.Timeout | undefined
  const onData = (): void => {
    seen = true
  }
  const onParent = (): void => {
    stop()
    controller.abort(parent.reason)
  }
  const check = (): void => {
    if (seen) {
      seen = false
      last = Date.now()
    }
    const idle = Date.now() - last
    // Bytes waiting in the buffer, or a paused consumer: the server is the slow side.
    const waitingForClient = body.readableLength === 0 && body.readableFlowing !== false
    if (idle >= ms && waitingForClient && !body.readableEnded) {
      watch.timedOut = true
      stop()
      controller.abort(reason())
      return
    }
    if (!waitingForClient) last = Date.now()
    timer = setTimeout(check, Math.max(1, Math.min(tick, ms - (Date.now() - last))))
  }
  function stop(): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    body.removeListener('data', onData)
    parent.removeEventListener('abort', onParent)
  }
  // A plain data property, not a getter in the literal: that would make a slow object per body.
  const watch = { signal: controller.signal, timedOut: false, stop }
  if (parent.aborted) controller.abort(parent.reason)
  else {
    parent.addEventListener('abort', onParent, { once: true })
    if (ms > 0) {
      body.prependListener('data', onData)
      timer = setTimeout(check, ms)
    }
  }
  return watch
}
