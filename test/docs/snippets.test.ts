// Every fenced code block of README.md, SECURITY.md and docs/*.md is exercised, so the docs
// cannot drift from the code. The comment before a block, `<!-- test: <kind> … -->`, says how
// (the kinds are in MARKERS below); a block without one, or with an unknown one, fails.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { repoRoot, type Running } from '../cli/child.js'
import { parseSession, runSession } from './console.js'
import { codeBlocks, docFiles, readDoc, type CodeBlock } from './markdown.js'
import { checkHtmlForm, checkNpmInstall, checkNpmScripts, checkTree } from './other-kinds.js'
import { CURL, needProgram } from '../helpers/external.js'
import {
  checkCliServer,
  checkProgram,
  cliEntry,
  parseCliCommand,
  startCli,
  workFolder,
} from './servers.js'
import { FILE_KINDS, snippetRoot, writeSnippet, type SnippetFile } from './snippet-files.js'
import { typecheck } from './typecheck.js'

/** Each kind of marker, and the fence languages it takes. */
const MARKERS: Readonly<Record<string, readonly string[]>> = {
  // A whole server program: started (on a free loopback port whatever it listens on), and a
  // tus-js-client upload goes through it to the endpoint path in the marker (default /files/).
  program: ['js', 'ts'],
  // Code that assumes the marker's prelude lines: type-checked and run (must exit 0).
  fragment: ['js', 'ts'],
  // A module other blocks import, written under the marker's file name; type-checked.
  module: ['js', 'ts'],
  // A test file, written under the marker's file name, run with node --test.
  'node-test': ['js', 'ts'],
  // Interfaces and types: each must match the package's export of the same name.
  'same-type': ['ts'],
  // A shell session ($ command, then its output), run against a fresh CLI.
  console: ['console'],
  // A `[VAR=…] npx tuskit [args]` line: started; the demo page and an upload are checked.
  'server-command': ['sh'],
  // `npm install <package>`: must name this package.
  'npm-install': ['sh'],
  // npm commands of the repository: each names a script; `npm start` is run.
  'npm-scripts': ['sh'],
  // A folder tree of the source: every entry exists, every top-level entry is listed.
  tree: ['text'],
  // An HTML form: submitted to the CLI as a browser would.
  'html-form': ['html'],
}

const root = repoRoot()
const blocks: CodeBlock[] = docFiles(root).flatMap((doc) => codeBlocks(doc, readDoc(root, doc)))
const where = (block: CodeBlock) => `${block.doc}:${block.line}`

rmSync(snippetRoot(root), { recursive: true, force: true })
mkdirSync(snippetRoot(root), { recursive: true })
const files = new Map<CodeBlock, SnippetFile>()
for (const block of blocks) {
  if (block.marker !== undefined && FILE_KINDS.has(block.marker.kind)) {
    files.set(block, writeSnippet(root, block))
  }
}

test('every code block of the docs says how it is tested', () => {
  const problems = blocks.flatMap((block) => {
    const kind = block.marker?.kind
    if (kind === undefined) return [`${where(block)}: no <!-- test: … --> comment before the block`]
    const langs = MARKERS[kind]
    if (langs === undefined) return [`${where(block)}: unknown test kind "${kind}"`]
    if (!langs.includes(block.lang)) {
      return [`${where(block)}: a ${kind} block is ${langs.join(' or ')}, not "${block.lang}"`]
    }
    return []
  })
  assert.deepEqual(problems, [])
  assert.ok(blocks.length > 20, `found only ${blocks.length} blocks`)
})

test("the JavaScript and TypeScript blocks type-check against the package's types", () => {
  const errors = typecheck(
    root,
    [...files.values()].map((f) => f.source),
  )
  const problems: string[] = []
  for (const file of files.values()) {
    const lines = readFileSync(file.source, 'utf8').split('\n')
    for (const error of errors.get(file.source) ?? []) {
      const [line = '0', ...message] = error.split(': ')
      // A same-type check, written after the block, names the type that differs.
      const check = /^export const same_(\w+)/.exec(lines[Number(line) - 1] ?? '')
      const docLine = check ? file.block.line : file.block.line + Number(line) - 1 - file.offset
      const text = check
        ? `${check[1]} differs from the type the package exports`
        : message.join(': ')
      problems.push(`${file.block.doc}:${docLine}: ${text}`)
    }
    errors.delete(file.source)
  }
  for (const [file, list] of errors) problems.push(...list.map((e) => `${file}:${e}`))
  assert.deepEqual(problems, [])
})

for (const block of blocks) {
  const marker = block.marker
  if (marker === undefined || MARKERS[marker.kind] === undefined) continue
  const name = `${where(block)} (${marker.kind})`
  switch (marker.kind) {
    case 'program':
      test(name, () => checkProgram(files.get(block)!.script, marker.args[0] ?? '/files/'))
      break
    case 'fragment':
      test(name, () => runScript(files.get(block)!.script, []))
      break
    case 'node-test':
      test(name, () => runScript(files.get(block)!.script, ['--test']))
      break
    case 'module':
    case 'same-type':
      break // type-checked above; modules run through the blocks that import them
    case 'console':
      test(name, (t) => checkSession(t, block))
      break
    case 'server-command':
      test(name, async () => {
        for (const line of block.code.split('\n').filter((l) => l.trim() !== '')) {
          await checkCliServer(root, parseCliCommand(line))
        }
      })
      break
    case 'npm-install':
      test(name, () => checkNpmInstall(root, block.code))
      break
    case 'npm-scripts':
      test(name, () => checkNpmScripts(root, block.code))
      break
    case 'tree':
      test(name, () => checkTree(root, block.code))
      break
    case 'html-form':
      test(name, () => checkHtmlForm(root, block.code))
      break
  }
}

/** Runs `node [flags] script` in a fresh folder; it must exit 0. */
async function runScript(script: string, flags: readonly string[]): Promise<void> {
  const work = await workFolder()
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [...flags, script],
        // Without the runner's NODE_TEST_CONTEXT, a nested node --test reports as a user's would.
        { cwd: work.cwd, timeout: 120_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
          resolve({ code, output: `${stdout}${stderr}` })
        },
      )
    })
    assert.equal(code, 0, output)
  } finally {
    await work.done()
  }
}

async function checkSession(t: import('node:test').TestContext, block: CodeBlock): Promise<void> {
  const steps = parseSession(block.code)
  if (steps.some((s) => /\bcurl\b/.test(s.command))) {
    if (needProgram(t, CURL) === undefined) return
  }
  const needsServer = steps.some((s) => s.command.includes('localhost:1080'))
  const work = await workFolder()
  let server: Running | undefined
  try {
    if (needsServer) server = await startCli(root, work.cwd)
    await runSession(steps, { cwd: work.cwd, origin: server?.origin, cli: cliEntry(root) })
  } finally {
    await server?.stop('SIGKILL')
    await work.done()
  }
}
