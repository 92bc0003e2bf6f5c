import { Readable } from 'node:stream'
import type { HeaderValue } from '../../protocol/headers.js'

/** One upload created by a form, as the 201 answer lists it. */
export interface FormUploadEntry {
  readonly location: string
  readonly id: string
  readonly filename: string | null
  readonly size: number
}

/** The body formats a form upload can be answered with, in the server's order of preference. */
const FORMATS = ['text/plain', 'application/json', 'text/html'] as const
export type FormResponseFormat = (typeof FORMATS)[number]

/**
 * Picks the answer's format from `Accept` (q-values honoured; an exact type beats `type/*`,
 * which beats `*\/*`). Ties, a missing header and one naming none of them give `text/plain`.
 * A browser submitting a form (`text/html,…,*\/*;q=0.8`) gets HTML, `fetch` (`*\/*`) and
 * curl text, `Accept: application/json` JSON.
 */
export function negotiateFormat(accept: HeaderValue): FormResponseFormat {
  const header = typeof accept === 'string' ? accept : accept?.join(',')
  if (header === undefined || header.trim() === '') return 'text/plain'
  const ranges = header.split(',').map(parseRange)
  let best: FormResponseFormat = 'text/plain'
  let bestQ = -1
  for (const format of FORMATS) {
    const q = qualityOf(format, ranges)
    if (q > bestQ) {
      best = format
      bestQ = q
    }
  }
  return bestQ > 0 ? best : 'text/plain'
}

interface MediaRange {
  type: string
  subtype: string
  q: number
}

function parseRange(text: string): MediaRange {
  const [range = '', ...params] = text.split(';')
  const [type = '', subtype = ''] = range.trim().toLowerCase().split('/')
  let q = 1
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim())
    if (name?.toLowerCase() === 'q' && value !== undefined && /^[01](\.\d{0,3})?$/.test(value)) {
      q = Math.min(1, Number(value))
    }
  }
  return { type, subtype, q }
}

/** The q of the most specific range matching `format`; 0 when none matches. */
function qualityOf(format: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = format.split('/')
  let specificity = -1
  let q = 0
  for (const range of ranges) {
    let s = -1
    if (range.type === type && range.subtype === subtype) s = 2
    else if (range.type === type && range.subtype === '*') s = 1
    else if (range.type === '*' && range.subtype === '*') s = 0
    if (s > specificity) {
      specificity = s
      q = range.q
    }
  }
  return q
}

/** The body and its headers for a 201 to a form upload. */
export function formResponseBody(
  format: FormResponseFormat,
  uploads: readonly FormUploadEntry[],
): { headers: Record<string, string>; body: Readable } {
  let text: string
  const headers: Record<string, string> = { Vary: 'Accept' }
  switch (format) {
    case 'application/json':
      text = JSON.stringify({ uploads })
      headers['Content-Type'] = 'application/json; charset=utf-8'
      break
    case 'text/html':
      text = html(uploads)
      headers['Content-Type'] = 'text/html; charset=utf-8'
      // The page names files a user chose: nothing in it may run, even if escaping failed.
      headers['Content-Security-Policy'] = "default-src 'none'; style-src 'unsafe-inline'"
      break
    default:
      text = uploads.map((u) => `${u.location}\n`).join('')
      headers['Content-Type'] = 'text/plain; charset=utf-8'
  }
  const bytes = Buffer.from(text, 'utf8')
  headers['Content-Length'] = String(bytes.length)
  return { headers, body: Readable.from([bytes]) }
}

function html(uploads: readonly FormUploadEntry[]): string {
  const items = uploads
    .map((u) => {
      const name = escapeHtml(u.filename ?? u.id)
      return `<li><a href="${escapeHtml(u.location)}">${name}</a> (${u.size} bytes)</li>`
    })
    .join('\n')
  const count = uploads.length === 1 ? '1 file' : `${uploads.length} files`
  return (
    '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n' +
    `<title>Uploaded ${count}</title>\n<h1>Uploaded ${count}</h1>\n<ul>\n${items}\n</ul>\n</html>\n`
  )
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
