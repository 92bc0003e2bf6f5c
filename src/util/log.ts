import type Debug from 'debug'
import { requireCjs } from './require-cjs.js'

const debug = requireCjs('debug') as typeof Debug

/** A `debug` logger under `tuskit:<area>`, printed when `DEBUG=tuskit:*`. */
export function createLog(area: string): Debug.Debugger {
  return debug(`tuskit:${area}`)
}
