import type { Locker } from './lockers/locker.js'
import { MemoryLocker } from './lockers/memory-locker.js'
import { normalisePath } from './protocol/route.js'

/** Options of {@link createTusHandler}; every one has a default. */
export interface TusHandlerOptions {
  /**
   * Public path of the endpoint, e.g. `/files`. Requests outside it go to `next`. When a
   * framework mounts the handler and strips its prefix (Express `app.use('/x', tus)`), the
   * mount point is used instead. Default `/files`.
   */
  path?: string
  /** Largest upload in bytes, sent as `Tus-Max-Size`; larger ones get 413. Default: none. */
  maxSize?: number
  /** Serialises requests per upload. Default: a {@link MemoryLocker}. */
  locker?: Locker
  /** Answer `Location` as a path (`/files/<id>`) instead of an absolute URL. Default `false`. */
  relativeLocation?: boolean
  /** Longest `Upload-Metadata` header accepted, in bytes. Default 4096. */
  maxMetadataSize?: number
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  readonly path: string
  readonly maxSize: number | undefined
  readonly locker: Locker
  readonly relativeLocation: boolean
  readonly maxMetadataSize: number
}

function checkSize(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new TypeError(`tuskit: options.${name} must be a non-negative integer`)
  }
}

/** Applies defaults and fails fast, at construction, on options that cannot work. */
export function resolveOptions(options: TusHandlerOptions = {}): ResolvedOptions {
  if (options.path !== undefined && typeof options.path !== 'string') {
    throw new TypeError('tuskit: options.path must be a string')
  }
  checkSize('maxSize', options.maxSize)
  checkSize('maxMetadataSize', options.maxMetadataSize)
  return {
    path: normalisePath(options.path ?? '/files'),
    maxSize: options.maxSize,
    locker: options.locker ?? new MemoryLocker(),
    relativeLocation: options.relativeLocation ?? false,
    maxMetadataSize: options.maxMetadataSize ?? 4096,
  }
}
