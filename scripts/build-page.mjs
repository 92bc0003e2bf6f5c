// Builds the CLI's demo page into a folder: index.html and style.css as they are,
// src/cli/page/app.js bundled with Uppy by esbuild into app.js and app.css (the CSS it
// imports), and the icon as favicon.svg and favicon.ico (drawn by favicon.mjs). No CDN: the page works offline. Used by copy-assets.mjs (npm run build) and by
// the tests, which build it into a temporary folder.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { faviconIco, faviconSvg } from './favicon.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The files of the built page, relative to its folder. */
export const PAGE_FILES = [
  'index.html',
  'style.css',
  'app.js',
  'app.css',
  'favicon.svg',
  'favicon.ico',
]

/** Writes the demo page into `outDir` (created if missing). */
export async function buildDemoPage(outDir) {
  mkdirSync(outDir, { recursive: true })
  cpSync(join(root, 'src', 'cli', 'public'), outDir, { recursive: true })
  writeFileSync(join(outDir, 'favicon.svg'), faviconSvg())
  writeFileSync(join(outDir, 'favicon.ico'), faviconIco())
  await build({
    entryPoints: { app: join(root, 'src', 'cli', 'page', 'app.js') },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'warning',
    // Uppy's CSS references no fonts or images, but keep any that appear inside the bundle.
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDemoPage(process.argv[2] ?? join(root, 'dist', 'cli', 'public'))
}
