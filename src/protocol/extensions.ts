import type { Capability } from '../stores/upload-store.js'

/** Extensions the handler implements whatever the store, in advertised order. */
const ALWAYS = ['creation', 'creation-with-upload'] as const

/** Extensions the handler implements when the store has the matching capability. */
const BY_CAPABILITY: ReadonlyArray<readonly [string, Capability]> = [
  ['creation-defer-length', 'creation-defer-length'],
  ['termination', 'termination'],
]

/** The `Tus-Extension` list for a store with these capabilities. */
export function advertisedExtensions(capabilities: ReadonlySet<Capability>): string[] {
  const out: string[] = [...ALWAYS]
  for (const [ext, cap] of BY_CAPABILITY) if (capabilities.has(cap)) out.push(ext)
  return out
}
