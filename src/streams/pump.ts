import { finished, type Readable, type Writable } from 'node:stream'

/**
 * Pipes `source` into `sink` and settles when the sink has finished, or at the first error,
 * abort or premature end of the source. Unlike `stream.pipeline`, it never destroys the
 * source: the source is usually the HTTP request, and destroying it would kill the socket
 * before the handler can answer (a 413 for an overlong body must still reach the client).
 * On failure the sink is destroyed; a caller writing to a file must still wait for any write
 * in flight before trusting what is stored.
 */
export function pump(source: Readable, sink: Writable, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false
    const stops: Array<() => void> = []
    const settle = (err?: unknown): void => {
      if (done) return
      done = true
      for (const stop of stops) stop()
      source.unpipe(sink)
      if (err === undefined) return resolve()
      sink.destroy()
      reject(err)
    }
    if (signal !== undefined) {
      if (signal.aborted) return settle(signal.reason)
      const onAbort = (): void => settle(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      stops.push(() => signal.removeEventListener('abort', onAbort))
    }
    stops.push(finished(source, { writable: false }, (err) => err && settle(err)))
    stops.push(finished(sink, (err) => settle(err ?? undefined)))
    source.pipe(sink)
  })
}
