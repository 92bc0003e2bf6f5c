import { nonNegativeIntegerProblem } from '../protocol/integer.js'

/**
 * Limits of classic form uploads (`multipart/form-data` POSTs to the creation URL), enforced
 * by busboy while the form streams in. `maxSize` applies to each file as well.
 */
export interface MultipartOptions {
  /** Largest file part in bytes (413 past it). Default: no limit of its own, `maxSize` applies. */
  maxFileSize?: number
  /** Most file parts in one form (413 past it). Default 10. */
  maxFiles?: number
  /** Most non-file fields in one form (413 past it). Default 20. */
  maxFields?: number
  /** Longest value of a non-file field, in bytes (413 past it). Default 1024. */
  maxFieldSize?: number
}

/** Multipart limits after validation, defaults applied. */
export interface ResolvedMultipart {
  readonly maxFileSize: number
  readonly maxFiles: number
  readonly maxFields: number
  readonly maxFieldSize: number
}

export const MULTIPART_DEFAULTS: ResolvedMultipart = {
  maxFileSize: Infinity,
  maxFiles: 10,
  maxFields: 20,
  maxFieldSize: 1024,
}

/**
 * `undefined` when form uploads are off (`multipart: false`); limits otherwise. Throws a
 * `TypeError` for a value that cannot work.
 */
export function resolveMultipart(
  option: false | MultipartOptions | undefined,
): ResolvedMultipart | undefined {
  if (option === false) return undefined
  if (option === undefined) return MULTIPART_DEFAULTS
  if (typeof option !== 'object' || option === null) {
    throw new TypeError('tuskit: options.multipart must be false or an object')
  }
  const resolved = { ...MULTIPART_DEFAULTS }
  for (const name of ['maxFileSize', 'maxFiles', 'maxFields', 'maxFieldSize'] as const) {
    const value = option[name]
    if (value === undefined) continue
    const problem = nonNegativeIntegerProblem(value)
    if (problem !== undefined) {
      throw new TypeError(`tuskit: options.multipart.${name} ${problem}`)
    }
    resolved[name] = value
  }
  return resolved
}
