import { createRequire } from 'node:module'

/**
 * Loads a CommonJS dependency (busboy, debug, mime-types) with `require`. Importing one from
 * an ES module would start Node's CommonJS export lexer, a WebAssembly module that alone adds
 * about 5 MiB of resident memory to every process using tuskit.
 */
export const requireCjs = createRequire(import.meta.url)
