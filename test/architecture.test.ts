// The layers of src/ (see .dependency-cruiser.cjs and docs/design.md): no import cycles, no
// import from a lower layer up to a higher one, the CLI and the contract suite on top.
// dependency-cruiser reads the TypeScript sources, type-only imports included.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { repoRoot } from './cli/child.js'

const root = repoRoot()
const CONFIG = join(root, '.dependency-cruiser.cjs')
const DEPCRUISE = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

/** Runs the checker on `src` of `cwd`; its exit status and report. */
function cruise(cwd: string): { status: number | null; report: string } {
  const out = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'],
    { cwd, encoding: 'utf8', timeout: 60_000 },
  )
  return { status: out.status, report: `${out.stdout}${out.stderr}` }
}

test('src/ keeps its layers: no cycles, no upward imports, no dead modules', () => {
  const { status, report } = cruise(root)
  assert.equal(status, 0, report)
  assert.match(report, /no dependency violations found/)
})

test('the checker refuses an upward import and a cycle', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-layers-'))
  try {
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true } }),
      // protocol/ reaching up into endpoint/, and a cycle between two uploads/ modules.
      'src/index.ts': "export * from './protocol/parse.js'\nexport * from './uploads/a.js'\n",
      'src/protocol/parse.ts': "export { core } from '../endpoint/core.js'\n",
      'src/endpoint/core.ts': 'export const core = 1\n',
      'src/uploads/a.ts': "import { b } from './b.js'\nexport const a = (): number => b()\n",
      'src/uploads/b.ts': "import { a } from './a.js'\nexport const b = (): number => a()\n",
    }
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true })
      await writeFile(join(dir, name), text)
    }
    const { status, report } = cruise(dir)
    assert.notEqual(status, 0, report)
    assert.match(report, /layer-protocol: src\/protocol\/parse\.ts → src\/endpoint\/core\.ts/)
    assert.match(report, /no-circular: src\/uploads\/a\.ts/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
