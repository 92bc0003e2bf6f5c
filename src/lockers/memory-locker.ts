import { tusError } from '../model/errors.js'
import type { Locker, Release } from './locker.js'

/** Options of {@link MemoryLocker}. */
export interface MemoryLockerOptions {
  /** How long a request waits for the holder to let go before a 423. Default 3000 ms. */
  acquireTimeout?: number
}

interface Waiter {
  grant: () => void
}

interface Entry {
  onContention: () => void
  waiters: Waiter[]
}

/**
 * The default locker: a FIFO queue per upload id in this process. For several processes or
 * machines sharing a store, use a distributed locker instead.
 */
export class MemoryLocker implements Locker {
  private readonly held = new Map<string, Entry>()
  private readonly acquireTimeout: number

  constructor(options: MemoryLockerOptions = {}) {
    this.acquireTimeout = options.acquireTimeout ?? 3000
    if (!(this.acquireTimeout >= 0)) {
      throw new TypeError('MemoryLocker: acquireTimeout must be a non-negative number')
    }
  }

  tryLock(id: string, onContention: () => void): Release | undefined {
    if (this.held.has(id)) return undefined
    this.held.set(id, { onContention, waiters: [] })
    return this.releaser(id)
  }

  lock(id: string, onContention: () => void, signal?: AbortSignal): Promise<Release> {
    const free = this.tryLock(id, onContention)
    if (free !== undefined) return Promise.resolve(free)
    const entry = this.held.get(id)!
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { grant: () => undefined }
      const leave = (err: unknown): void => {
        cleanup()
        const i = entry.waiters.indexOf(waiter)
        if (i !== -1) entry.waiters.splice(i, 1)
        reject(err)
      }
      const timer = setTimeout(() => leave(tusError('ERR_LOCK_TIMEOUT')), this.acquireTimeout)
      const onAbort = (): void => leave(signal?.reason)
      const cleanup = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      // The new holder takes over the contention callback once granted.
      waiter.grant = () => {
        cleanup()
        entry.onContention = onContention
        resolve(this.releaser(id))
      }
      entry.waiters.push(waiter)
      notify(entry)
    })
  }

  private releaser(id: string): Release {
    let released = false
    return () => {
      if (released) return Promise.resolve()
      released = true
      const entry = this.held.get(id)
      if (entry === undefined) return Promise.resolve()
      const next = entry.waiters.shift()
      if (next === undefined) this.held.delete(id)
      else {
        next.grant()
        // Others still queue behind the new holder: let it know at once.
        if (entry.waiters.length > 0) notify(entry)
      }
      return Promise.resolve()
    }
  }
}

function notify(entry: Entry): void {
  try {
    entry.onContention()
  } catch {
    // A holder's callback failing must not break the waiter; the timeout still bounds the wait.
  }
}
