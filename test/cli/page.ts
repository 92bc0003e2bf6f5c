// Builds the demo page into a folder the way `npm run build` does (scripts/build-page.mjs:
// index.html, style.css, and the Uppy bundle app.js + app.css made by esbuild), for tests
// that run the CLI compiled with them and pass the folder as --public.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './child.js'

interface BuildPage {
  buildDemoPage(outDir: string): Promise<void>
  PAGE_FILES: readonly string[]
}

/** Builds the page into `outDir`; resolves with the files it holds. */
export async function buildDemoPage(outDir: string): Promise<readonly string[]> {
  const script = pathToFileURL(join(repoRoot(), 'scripts', 'build-page.mjs')).href
  const page = (await import(script)) as BuildPage
  await page.buildDemoPage(outDir)
  return page.PAGE_FILES
}
