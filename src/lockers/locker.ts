/** Gives a held lock back. Safe to call more than once. */
export type Release = () => Promise<void>

/**
 * Exclusive access to one upload at a time, across every request that changes or reads its
 * offset. A waiting request asks the holder to finish through `onContention`: a PATCH hanging
 * on a dead connection then stores what it received and lets go, so a reconnecting client
 * takes over instead of meeting 423 until the old socket times out.
 */
export interface Locker {
  /**
   * Waits for the lock on `id`. `onContention` is called (possibly more than once) while this
   * request holds the lock and another one waits. Rejects with a 423 `TusError` if the lock
   * is not free within the locker's timeout, or with the signal's reason if `signal` aborts.
   */
  lock(id: string, onContention: () => void, signal?: AbortSignal): Promise<Release>
  /**
   * Optional fast path: takes the lock on `id` at once if it is free, else returns
   * `undefined` (and the caller falls back to `lock`). A locker that can answer without I/O
   * (an in-process one) spares every uncontended request a promise and the request's signal.
   */
  tryLock?(id: string, onContention: () => void): Release | undefined
}
