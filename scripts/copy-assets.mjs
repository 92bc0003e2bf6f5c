// Copies the demo page and the browser build of tus-js-client into dist/, so the CLI serves
// both from the package itself (no CDN: the page must work offline).
import { cpSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const out = join(root, 'dist', 'cli', 'public')
mkdirSync(join(out, 'vendor'), { recursive: true })
cpSync(join(root, 'src', 'cli', 'public'), out, { recursive: true })
cpSync(require.resolve('tus-js-client/dist/tus.min.js'), join(out, 'vendor', 'tus.min.js'))
