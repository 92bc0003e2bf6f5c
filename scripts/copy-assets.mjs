// Builds the demo page into dist/cli/public (index.html, style.css, the Uppy bundle app.js +
// app.css, and the icon), so the CLI serves it from the package itself: no CDN, works offline.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildDemoPage } from './build-page.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'cli', 'public')
rmSync(out, { recursive: true, force: true }) // no leftovers of an older page (vendor/)
await buildDemoPage(out)
