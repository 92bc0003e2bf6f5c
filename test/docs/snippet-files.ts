// Turns the JavaScript and TypeScript blocks of the docs into files inside build/, next to the
// package, so that `tuskit` resolves through the package's own `exports` and the frameworks
// from its node_modules, as they would in a user's project.
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CodeBlock } from './markdown.js'
import { transpile } from './typecheck.js'

/** Kinds whose block becomes a file that is type-checked. */
export const FILE_KINDS = new Set(['program', 'fragment', 'module', 'node-test', 'same-type'])

export interface SnippetFile {
  readonly block: CodeBlock
  /** The file that is type-checked. */
  readonly source: string
  /** The file that is run (the JavaScript of a `.ts` source). */
  readonly script: string
  /** Lines written before the block's first line. */
  readonly offset: number
}

/** Where the snippets of all docs are written; emptied by the test before it writes. */
export function snippetRoot(root: string): string {
  return join(root, 'build', 'docs-snippets')
}

/**
 * Writes a block (with its marker's prelude) as a file of its doc's folder: under the name the
 * marker gives (`module my-store.ts`), else named after its line.
 */
export function writeSnippet(root: string, block: CodeBlock): SnippetFile {
  const marker = block.marker!
  const dir = join(snippetRoot(root), block.doc.replace(/[/.]/g, '-'))
  mkdirSync(dir, { recursive: true })
  const named = marker.kind === 'module' || marker.kind === 'node-test'
  const name = named ? basename(marker.args[0] ?? '') : `line-${block.line}${extension(block)}`
  const source = join(dir, name)
  const header = marker.kind === 'same-type' ? sameTypeHeader(marker.args[0]) : ''
  const prelude = marker.prelude.trim() === '' ? '' : `${marker.prelude.trim()}\n`
  const footer = marker.kind === 'same-type' ? sameTypeChecks(block.code) : ''
  const text = `${header}${prelude}${block.code}\n${footer}`
  writeFileSync(source, text)
  let script = source
  if (source.endsWith('.ts')) {
    script = source.replace(/\.ts$/, '.js')
    writeFileSync(script, transpile(text))
  }
  return { block, source, script, offset: lineCount(header) + lineCount(prelude) }
}

function extension(block: CodeBlock): string {
  if (block.lang === 'ts' || block.marker?.kind === 'same-type') return '.ts'
  // A script that requires and never imports is CommonJS, as a user's .cjs or .js would be.
  const commonJs = /\brequire\(/.test(block.code) && !/^\s*import\s/m.test(block.code)
  return commonJs ? '.cjs' : '.mjs'
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length - 1
}

/** The declarations a `same-type` block is compared with: the package's exports. */
function sameTypeHeader(module = 'tuskit'): string {
  return (
    `import type * as Real from '${module}'\n` +
    'type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false\n' +
    'type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T]\n' +
    // Same members, same optional members, and each assignable to the other: parameter names,
    // comments and `readonly` may differ from the source, nothing a user relies on may.
    'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? Equal<[keyof A, OptionalKeys<A>], [keyof B, OptionalKeys<B>]> : false) : false\n'
  )
}

/** One assertion per interface or type the block declares. */
function sameTypeChecks(code: string): string {
  const names = [...code.matchAll(/^(?:export\s+)?(?:interface|type)\s+(\w+)/gm)].map((m) => m[1])
  return names
    .map((name) => `export const same_${name}: Same<${name}, Real.${name}> = true\n`)
    .join('')
}
