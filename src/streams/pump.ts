import { finished, type Readable, type Writable } from 'node:stream'

/**
 * Pipes `source` into `sink` and settles when the sink has finished, or at the first error,
 * abort or premature end of the source. Unlike `stream.pipeline`, it never destroys the
 * source: the source is usually the HTTP request, and destroying it would kill the socket
 * before the handler can answer (a 413 for an overlong body must still reach the client).
 *
 * When the source fails or the signal aborts, what the sink already buffered is still
 * written (the sink is ended, not destroyed) before the promise rejects: bytes that reached
 * the server are kept. When the sink itself fails, it rejects with the sink's error.
 */
export function pump(source: Readable, sink: Writable, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false
    const stops: Array<() => void> = []
    const settle = (err: unknown, fromSink: boolean): void => {
      if (done) return
      done = true
      for (const stop of stops) stop()
      source.unpipe(sink)
      if (err === undefined) return resolve()
      if (fromSink || sink.destroyed) return reject(err)
      // Flush what the sink holds, then report the source's failure.
      finished(sink, () => reject(err))
      sink.end()
    }
    if (signal !== undefined) {
      if (signal.aborted) return settle(signal.reason, false)
      const onAbort = (): void => settle(signal.reason, false)
      signal.addEventListener('abort', onAbort, { once: true })
      stops.push(() => signal.removeEventListener('abort', onAbort))
    }
    stops.push(finished(source, { writable: false }, (err) => err && settle(err, false)))
    stops.push(finished(sink, (err) => settle(err ?? undefined, true)))
    source.pipe(sink)
  })
}
