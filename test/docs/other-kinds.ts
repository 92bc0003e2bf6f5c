// The doc blocks that are neither code to run nor shell sessions: npm commands, a folder tree,
// an HTML form.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Running } from '../cli/child.js'
import { checkCliServer, parseCliCommand, startCli, workFolder } from './servers.js'

interface PackageJson {
  name: string
  scripts: Record<string, string>
}

function packageJson(root: string): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson
}

/** `npm install <name>` (which cannot run offline) must name this package. */
export function checkNpmInstall(root: string, code: string): void {
  const match = /^npm (?:install|i) (\S+)$/.exec(code.trim())
  assert.ok(match, `not an npm install line: ${code}`)
  assert.equal(match[1], packageJson(root).name)
}

/**
 * Every `npm …` of the block is a built-in or names a script of package.json; `npm start` is
 * also run, as its script says (after the build `npm test` has done), and must serve.
 */
export async function checkNpmScripts(root: string, code: string): Promise<void> {
  const { scripts } = packageJson(root)
  const commands = code
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .flatMap((line) => line.split('&&').map((c) => c.replace(/#.*/, '').trim()))
  for (const command of commands) {
    const [npm, verb = '', script = ''] = command.split(/\s+/)
    assert.equal(npm, 'npm', `not an npm command: ${command}`)
    if (verb === 'install' || verb === 'ci') continue
    const name = verb === 'run' ? script : verb
    assert.ok(scripts[name] !== undefined, `package.json has no script "${name}" (${command})`)
    if (name === 'start') await checkStartScript(root, scripts['start'] ?? '')
  }
}

async function checkStartScript(root: string, script: string): Promise<void> {
  const [node, entry = '', ...args] = script.split(/\s+/)
  assert.equal(node, 'node', `the start script runs node: ${script}`)
  assert.ok(/(^|\/)dist\/cli\/main\.js$/.test(entry), `the start script runs the CLI: ${script}`)
  await checkCliServer(root, parseCliCommand(`tuskit ${args.join(' ')}`))
}

/**
 * A folder tree (`src/` then indented entries, two spaces a level, each name followed by a
 * description): every entry exists, and every entry at the top of the folder is listed.
 */
export function checkTree(root: string, code: string): void {
  const [top = '', ...lines] = code.split('\n')
  const base = top.trim()
  assert.ok(base.endsWith('/'), `a tree starts with its folder: ${top}`)
  const parents: string[] = [base.slice(0, -1)]
  const listed = new Set<string>()
  for (const line of lines) {
    if (line.trim() === '') continue
    const match = /^( *)(\S+)/.exec(line)
    assert.ok(match, line)
    const depth = (match[1] ?? '').length / 2
    const name = match[2] ?? ''
    assert.ok(Number.isInteger(depth) && depth >= 1 && depth <= parents.length, `indent: ${line}`)
    parents.length = depth
    const path = join(...parents, name)
    const isDir = name.endsWith('/')
    assert.ok(existsSync(join(root, path)), `${path} does not exist`)
    assert.equal(statSync(join(root, path)).isDirectory(), isDir, `${path}: file or folder?`)
    if (depth === 1) listed.add(name.replace(/\/$/, ''))
    if (isDir) parents.push(name.slice(0, -1))
  }
  const present = readdirSync(join(root, parents[0] ?? '')).sort()
  assert.deepEqual([...listed].sort(), present, `the tree lists every entry of ${base}`)
}

/** Submits an HTML form as a browser would, to the CLI, and checks the upload it made. */
export async function checkHtmlForm(root: string, code: string): Promise<void> {
  const form = /<form\s([^>]*)>/.exec(code)?.[1] ?? ''
  const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1]
  assert.equal(attribute(form, 'method')?.toLowerCase(), 'post')
  assert.equal(attribute(form, 'enctype'), 'multipart/form-data')
  const action = attribute(form, 'action')
  assert.ok(action?.startsWith('/'), `a form action on the endpoint: ${action}`)
  const body = new FormData()
  const file = Buffer.from('a file sent by the form of the docs\n')
  for (const [, input = ''] of code.matchAll(/<input\s([^>]*)>/g)) {
    const name = attribute(input, 'name')
    assert.ok(name, `an input without a name: ${input}`)
    if (attribute(input, 'type') === 'file') body.append(name, new Blob([file]), 'form.txt')
    else body.append(name, 'docs')
  }
  const work = await workFolder()
  let server: Running | undefined
  try {
    server = await startCli(root, work.cwd)
    const res = await fetch(`${server.origin}${action}`, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    })
    const text = await res.text()
    assert.equal(res.status, 201, text)
    const { uploads } = JSON.parse(text) as { uploads: { id: string; filename: string }[] }
    assert.equal(uploads.length, 1)
    assert.equal(uploads[0]?.filename, 'form.txt')
    assert.deepEqual(await readFile(join(work.cwd, 'uploads', uploads[0]?.id ?? '')), file)
  } finally {
    await server?.stop('SIGKILL')
    await work.done()
  }
}
