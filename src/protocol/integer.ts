import { MAX_SAFE_INTEGER } from '../model/errors.js'

/**
 * What is wrong with `value` as a size, count or duration option, completing "options.x …";
 * `undefined` when it is a non-negative integer tuskit can count with exactly. An integer past
 * `Number.MAX_SAFE_INTEGER` is called too large rather than "not an integer", as it is one.
 */
export function nonNegativeIntegerProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return 'must be a non-negative integer'
  }
  return value > MAX_SAFE_INTEGER ? `is too large (more than ${MAX_SAFE_INTEGER})` : undefined
}
