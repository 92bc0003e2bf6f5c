import type { Capability } from '../model/upload.js'

/** Extensions the handler implements whatever the store, in advertised order. */
const ALWAYS = ['creation', 'creation-with-upload'] as const

/** Extensions advertised when the store has the matching capability, in advertised order. */
const BY_CAPABILITY: ReadonlyArray<readonly [string, Capability]> = [
  ['creation-defer-length', 'creation-defer-length'],
  ['expiration', 'expiration'],
  ['checksum', 'checksum'],
  ['checksum-trailer', 'checksum'],
  ['termination', 'termination'],
  ['concatenation', 'concatenation'],
  ['concatenation-unfinished', 'concatenation'],
]

/**
 * The `Tus-Extension` list for a store with these capabilities. `disabled` names extensions
 * switched off by options (e.g. `expiration` without an expiry period).
 */
export function advertisedExtensions(
  capabilities: ReadonlySet<Capability>,
  disabled: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [...ALWAYS]
  for (const [ext, cap] of BY_CAPABILITY) {
    if (capabilities.has(cap) && !disabled.has(ext)) out.push(ext)
  }
  return out
}
