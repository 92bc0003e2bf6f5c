// The reference tables of the docs against the code: the option tables list exactly the keys
// of the option types the package exports, the error table is ERRORS, the CLI table the flags
// of --help. Each table is found by the `<!-- table: <kind> … -->` comment before it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { USAGE } from '../../src/cli/args.js'
import { ERRORS } from '../../src/model/errors.js'
import { repoRoot } from '../cli/child.js'
import { docFiles, markedTables, readDoc, type MarkedTable } from './markdown.js'

const root = repoRoot()
const tables = docFiles(root).flatMap((doc) => markedTables(doc, readDoc(root, doc)))

function tablesOf(kind: string): MarkedTable[] {
  return tables.filter((t) => t.kind === kind)
}

/** The one table of a kind. */
function onlyTable(kind: string): MarkedTable {
  const found = tablesOf(kind)
  assert.equal(found.length, 1, `exactly one "${kind}" table in the docs`)
  return found[0]!
}

/** The backticked names of a first column (`a`, `b` in one cell are two names). */
function names(table: MarkedTable): string[] {
  return table.rows.flatMap((row) => [...(row[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
}

/** Property names of a type exported by the package, as its .d.ts files declare it. */
function exportedKeys(typeName: string): string[] {
  const entry = join(root, 'dist', 'index.d.ts')
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, noEmit: true })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  assert.ok(source, 'dist/index.d.ts is missing: run npm run build first (npm test does)')
  const moduleSymbol = checker.getSymbolAtLocation(source)!
  const symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === typeName)
  assert.ok(symbol, `the package exports no type ${typeName}`)
  const type = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol))
  return checker.getPropertiesOfType(type).map((p) => p.name)
}

test('every keys-of table lists exactly the keys of its type', () => {
  const checked = tablesOf('keys-of')
  for (const table of checked) {
    const typeName = table.args[0] ?? ''
    assert.deepEqual(
      names(table).sort(),
      exportedKeys(typeName).sort(),
      `${table.doc}:${table.line}: the options of ${typeName}`,
    )
  }
  const types = checked.map((t) => t.args[0])
  assert.ok(types.includes('TusHandlerOptions'), 'the README has the table of createTusHandler')
  assert.ok(types.includes('FileStoreOptions'), 'the docs have the table of FileStore')
})

test('the error table matches ERRORS', () => {
  const table = onlyTable('errors')
  const listed: Record<string, number> = {}
  for (const row of table.rows) {
    const code = /^`(ERR_[A-Z0-9_]+)`$/.exec(row[0] ?? '')?.[1]
    assert.ok(code, `${table.doc}: malformed code cell: ${row[0]}`)
    assert.ok(/^\d{3}$/.test(row[1] ?? ''), `${table.doc}: ${code} has no status`)
    assert.ok((row[2] ?? '') !== '', `${table.doc}: ${code} says nothing`)
    assert.ok(!(code in listed), `${code} is listed twice`)
    listed[code] = Number(row[1])
  }
  const expected = Object.fromEntries(
    Object.entries(ERRORS).map(([code, { status }]) => [code, status]),
  )
  assert.deepEqual(listed, expected)
})

test('the CLI table lists exactly the flags of --help', () => {
  const flags = (text: string): string[] => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])].sort()
  const table = onlyTable('cli-flags')
  const options = USAGE.split('\n').filter((line) => /^\s+-/.test(line))
  assert.deepEqual(flags(names(table).join(' ')), flags(options.join(' ')))
})

test('the README stays a front door: under 25 KB', () => {
  const size = statSync(join(root, 'README.md')).size
  assert.ok(size < 25 * 1024, `README.md is ${size} bytes; move details into docs/`)
})
