import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'

/** A file of the demo page: its name inside the public folder and its Content-Type. */
interface StaticFile {
  readonly file: string
  readonly type: string
}

const HTML = 'text/html; charset=utf-8'
const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'
const SVG = 'image/svg+xml'
const ICO = 'image/x-icon'

/**
 * The only URLs the demo server answers, matched exactly against the raw request path. Nothing
 * is decoded or joined from the URL, so no request can name a file outside this list.
 */
export const STATIC_FILES: ReadonlyMap<string, StaticFile> = new Map([
  ['/', { file: 'index.html', type: HTML }],
  ['/index.html', { file: 'index.html', type: HTML }],
  // The Uppy bundle (scripts/build-page.mjs): the page's script and Uppy's CSS.
  ['/app.js', { file: 'app.js', type: JS }],
  ['/app.css', { file: 'app.css', type: CSS }],
  ['/style.css', { file: 'style.css', type: CSS }],
  // The icon (scripts/favicon.mjs), linked by index.html. Browsers also ask for /favicon.ico
  // by themselves where no icon is linked (a download, a plain-text answer): never a 404.
  ['/favicon.svg', { file: 'favicon.svg', type: SVG }],
  ['/favicon.ico', { file: 'favicon.ico', type: ICO }],
])

/** Files of the allow-list missing from `directory` (e.g. the bundle before a build). */
export function missingFiles(directory: string): string[] {
  const files = new Set([...STATIC_FILES.values()].map((f) => f.file))
  return [...files].filter((file) => !existsSync(join(directory, file)))
}

export interface StaticOptions {
  /** Folder holding the demo page. */
  directory: string
  /** The tus endpoint the page uploads to, e.g. `/files/`; written into index.html. */
  endpoint: string
}

// index.html names its endpoint in this tag, and its no-JavaScript form posts there; the
// server fills in the configured one.
const ENDPOINT_META = /(<meta\s+name="tuskit-endpoint"\s+content=")[^"]*(")/
const ENDPOINT_FORM = /(<form\s+id="fallback"[^>]*?\saction=")[^"]*(")/

/** Serves the demo page's files, and 404 for everything else. */
export function createStaticHandler(
  options: StaticOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const endpoint = escapeAttribute(options.endpoint)
  return (req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const entry = STATIC_FILES.get(q === -1 ? url : url.slice(0, q))
    if (entry === undefined) return sendText(res, 404, 'not found')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return sendText(res, 405, 'method not allowed')
    }
    readFile(join(options.directory, entry.file)).then(
      (content) => {
        const body =
          entry.file === 'index.html'
            ? Buffer.from(
                content
                  .toString('utf8')
                  .replace(ENDPOINT_META, `$1${endpoint}$2`)
                  .replace(ENDPOINT_FORM, `$1${endpoint}$2`),
              )
            : content
        res.writeHead(200, {
          'Content-Type': entry.type,
          'Content-Length': String(body.length),
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') sendText(res, 404, 'not found')
        else sendText(res, 500, 'internal server error')
      },
    )
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text) + 1),
    'X-Content-Type-Options': 'nosniff',
  })
  res.end(`${text}\n`)
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}
