/**
 * A signal that never aborts, shared: for lock holders that ignore their interrupt, and for
 * work that must not follow a request's signal. Whoever listens on it must remove the
 * listener (as `watchIdle` does on `stop()`), since the signal lives as long as the process.
 */
export const NEVER_ABORTS: AbortSignal = new AbortController().signal
