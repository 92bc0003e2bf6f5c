// Keeps the README in step with the code: the error table with ERRORS, the CLI table with --help.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { USAGE } from '../src/cli/args.js'
import { ERRORS } from '../src/protocol/errors.js'
import { repoRoot } from './cli/child.js'

const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')

/** The body of a `## <heading>` section, up to the next `## ` heading. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`)
  assert.notEqual(start, -1, `README has no "## ${heading}" section`)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

test('the README error table matches ERRORS', () => {
  const listed: Record<string, number> = {}
  for (const line of section('Errors').split('\n')) {
    if (!/^\|\s*`ERR_/.test(line)) continue
    const match = /^\|\s*`(ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*\S.*\|$/.exec(line)
    assert.ok(match, `malformed error row: ${line}`)
    const [, code = '', status = ''] = match
    assert.ok(!(code in listed), `${code} is listed twice`)
    listed[code] = Number(status)
  }
  const expected = Object.fromEntries(
    Object.entries(ERRORS).map(([code, { status }]) => [code, status]),
  )
  assert.deepEqual(listed, expected)
})

test('the README CLI table lists exactly the flags of --help', () => {
  const flags = (text: string): string[] => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])].sort()
  const rows = section('CLI')
    .split('\n')
    .filter((line) => /^\|\s*`-/.test(line))
    .map((line) => line.split('|')[1] ?? '')
  const options = USAGE.split('\n').filter((line) => /^\s+-/.test(line))
  assert.deepEqual(flags(rows.join(' ')), flags(options.join(' ')))
})
