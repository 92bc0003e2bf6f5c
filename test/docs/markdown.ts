// Reads the repository's Markdown docs the way the doc tests need them: fenced code blocks with
// the `<!-- test: ... -->` marker before each, marked tables, headings (as GitHub anchors) and
// links. Line-based on purpose: the docs are Prettier-formatted, so the shapes are regular.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** How a code block is exercised: `<!-- test: <kind> <args...>` plus optional prelude lines. */
export interface Marker {
  readonly kind: string
  readonly args: readonly string[]
  /** Lines after the first line of the comment: code a fragment assumes, written before it. */
  readonly prelude: string
}

export interface CodeBlock {
  /** The doc, relative to the repository root (`docs/cli.md`). */
  readonly doc: string
  /** 1-based line of the first line of code (the line after the opening fence). */
  readonly line: number
  /** The fence's info string: `js`, `ts`, `sh`, `console`, … (empty when none). */
  readonly lang: string
  readonly code: string
  readonly marker: Marker | undefined
}

/** A table introduced by `<!-- table: <kind> <args...> -->`. */
export interface MarkedTable {
  readonly doc: string
  readonly line: number
  readonly kind: string
  readonly args: readonly string[]
  /** Body rows (after the header and the separator), each split into trimmed cells. */
  readonly rows: readonly (readonly string[])[]
}

/** Every Markdown file whose code blocks must be tested: README, SECURITY and docs/. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', 'SECURITY.md', ...docs]
}

export function readDoc(root: string, doc: string): string {
  return readFileSync(join(root, doc), 'utf8')
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/

/** The fenced code blocks of one doc, each with the marker comment that precedes it. */
export function codeBlocks(doc: string, text: string): CodeBlock[] {
  const lines = text.split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (open === null) continue
    const [, indent = '', fence = '', lang = ''] = open
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end] ?? '')) end++
    const code = lines
      .slice(i + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n')
    blocks.push({ doc, line: i + 2, lang, code, marker: commentBefore(lines, i, 'test') })
    i = end
  }
  return blocks
}

/** The tables of one doc that a `<!-- table: ... -->` comment introduces. */
export function markedTables(doc: string, text: string): MarkedTable[] {
  const lines = text.split('\n')
  const tables: MarkedTable[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith('|') || lines[i - 1]?.startsWith('|')) continue
    const marker = commentBefore(lines, i, 'table')
    if (marker === undefined) continue
    const rows: string[][] = []
    for (let j = i + 2; j < lines.length && lines[j]?.startsWith('|'); j++) {
      rows.push(splitRow(lines[j] ?? ''))
    }
    tables.push({ doc, line: i + 1, kind: marker.kind, args: marker.args, rows })
  }
  return tables
}

/** The cells of a table row; `\|` inside a cell is a literal bar. */
export function splitRow(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'))
}

/**
 * The `<!-- <keyword>: ... -->` comment right before line `index` (blank lines allowed in
 * between), or `undefined`.
 */
function commentBefore(lines: string[], index: number, keyword: string): Marker | undefined {
  let end = index - 1
  while (end >= 0 && lines[end]?.trim() === '') end--
  if (end < 0 || !lines[end]?.trimEnd().endsWith('-->')) return undefined
  let start = end
  while (start >= 0 && !lines[start]?.includes('<!--')) start--
  if (start < 0) return undefined
  const body = lines
    .slice(start, end + 1)
    .join('\n')
    .replace(/^\s*<!--/, '')
    .replace(/-->\s*$/, '')
  const [first = '', ...rest] = body.split('\n')
  const head = new RegExp(`^\\s*${keyword}:\\s*(\\S+)(.*)$`).exec(first)
  if (head === null) return undefined
  const [, kind = '', args = ''] = head
  return { kind, args: args.trim().split(/\s+/).filter(Boolean), prelude: rest.join('\n') }
}

/** GitHub's anchors for the headings of a doc (`## Options of createTusHandler` → …). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  let inFence = false
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) inFence = !inFence
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*$/.exec(line)
    if (heading === null) continue
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/<[^>]*>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    out.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return out
}

export interface Link {
  readonly line: number
  readonly target: string
}

/** The targets of inline Markdown links `[text](target)`, outside code. */
export function links(text: string): Link[] {
  const out: Link[] = []
  let inFence = false
  text.split('\n').forEach((line, i) => {
    if (FENCE.test(line)) inFence = !inFence
    if (inFence) return
    const prose = line.replace(/`[^`]*`/g, '')
    for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      out.push({ line: i + 1, target: match[1] ?? '' })
    }
  })
  return out
}
