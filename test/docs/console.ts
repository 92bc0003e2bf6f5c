// Shell sessions of the docs (```console blocks): `$ command` lines, each followed by the
// output it must print. They run for real against a fresh CLI (http://localhost:1080 in the
// docs is that server), and the output is compared:
//
// - `<name>` in an expected output matches one value (an id, a size) and remembers it; a later
//   `<name>`, in an output or a command, is that value (so `<id>` of a Location is reused);
// - an output that starts with `HTTP/` is what `curl -i` prints: each response's status line
//   must match, each header listed must be there with that value (unlisted headers are not
//   checked), and a body, when one is shown, must match.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface Step {
  /** The command, continuation lines joined. */
  readonly command: string
  /** Offset of the command's line in the block (0-based). */
  readonly index: number
  readonly expected: string
}

/** The commands of a session and the output shown after each. */
export function parseSession(code: string): Step[] {
  const lines = code.split('\n')
  const steps: Step[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    assert.ok(line.startsWith('$ '), `line ${i + 1} of a session is output of no command: ${line}`)
    const index = i
    let command = line.slice(2)
    while (command.endsWith('\\') && i + 1 < lines.length) {
      command = `${command.slice(0, -1).trimEnd()} ${(lines[++i] ?? '').trim()}`
    }
    const output: string[] = []
    while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('$ '))
      output.push(lines[++i] ?? '')
    steps.push({ command, index, expected: output.join('\n').trim() })
  }
  return steps
}

/** Values named by `<name>` placeholders so far. */
export type Captures = Map<string, string>

const PLACEHOLDER = /<([a-z][a-z0-9-]*)>/g
const VALUE = `[^\\s"',;<>]+`

/** Replaces the `<name>`s of a command with their values; each must have been seen. */
export function fillIn(text: string, captures: Captures): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = captures.get(name)
    assert.ok(value !== undefined, `${whole} is used before any output showed it`)
    return value
  })
}

/** Matches `actual` against an expected text with placeholders; records new captures. */
export function matchText(expected: string, actual: string, captures: Captures, what: string) {
  const names: string[] = []
  let pattern = ''
  let last = 0
  for (const match of expected.matchAll(PLACEHOLDER)) {
    pattern += escape(expected.slice(last, match.index))
    const name = match[1] ?? ''
    const known = captures.get(name)
    if (known !== undefined) pattern += escape(known)
    else if (names.includes(name)) pattern += `\\k<${group(name)}>`
    else {
      names.push(name)
      pattern += `(?<${group(name)}>${VALUE})`
    }
    last = (match.index ?? 0) + match[0].length
  }
  pattern += escape(expected.slice(last))
  const found = new RegExp(`^${pattern}$`).exec(actual)
  assert.ok(found, `${what}\n--- expected ---\n${expected}\n--- actual ---\n${actual}`)
  for (const name of names) captures.set(name, found.groups?.[group(name)] ?? '')
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function group(name: string): string {
  return name.replace(/-/g, '_')
}

interface HttpMessage {
  status: string
  headers: [string, string][]
  body: string
}

/** `curl -i` output: every response head (interim ones too), then the last one's body. */
function parseCurl(output: string): HttpMessage[] {
  const messages: HttpMessage[] = []
  let rest = output
  while (rest.startsWith('HTTP/')) {
    const end = rest.indexOf('\r\n\r\n')
    const head = end === -1 ? rest : rest.slice(0, end)
    rest = end === -1 ? '' : rest.slice(end + 4)
    const [status = '', ...fields] = head.split('\r\n')
    messages.push({ status, headers: fields.map(splitHeader), body: '' })
  }
  const lastMessage = messages[messages.length - 1]
  if (lastMessage !== undefined) lastMessage.body = rest.trim()
  return messages
}

/** The same, as a doc shows it: responses start with `HTTP/`, a blank line before a body. */
function parseShown(text: string): HttpMessage[] {
  const messages: HttpMessage[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const status = lines[i] ?? ''
    if (!status.startsWith('HTTP/')) continue
    const message: HttpMessage = { status, headers: [], body: '' }
    while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') {
      message.headers.push(splitHeader(lines[++i] ?? ''))
    }
    const body: string[] = []
    while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('HTTP/'))
      body.push(lines[++i] ?? '')
    message.body = body.join('\n').trim()
    messages.push(message)
  }
  return messages
}

function splitHeader(line: string): [string, string] {
  const colon = line.indexOf(':')
  return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
}

/** Checks `curl -i` output against the responses a doc shows. */
export function matchHttp(expected: string, actual: string, captures: Captures, what: string) {
  const shown = parseShown(expected)
  const got = parseCurl(actual)
  const statuses = (messages: HttpMessage[]) => messages.map((m) => m.status).join(' | ')
  assert.equal(
    statuses(got),
    statuses(shown),
    `${what}: responses differ\n--- actual ---\n${actual}`,
  )
  shown.forEach((message, i) => {
    const real = got[i]!
    for (const [name, value] of message.headers) {
      const header = real.headers.find(([n]) => n === name)
      assert.ok(header, `${what}: ${message.status} has no ${name} header\n${actual}`)
      matchText(value, header[1], captures, `${what}: ${name}`)
    }
    if (message.body !== '') matchText(message.body, real.body, captures, `${what}: body`)
  })
}

export interface SessionContext {
  /** Folder the commands run in (files they name with `@file` are made there). */
  readonly cwd: string
  /** Replaces http://localhost:1080, or `undefined` when no server runs. */
  readonly origin: string | undefined
  /** `npx tuskit` and `tuskit` run this file with node. */
  readonly cli: string
}

/** Runs each command of a session in bash and compares its output. */
export async function runSession(steps: readonly Step[], context: SessionContext): Promise<void> {
  const captures: Captures = new Map()
  // Quiet curl (no progress meter on stderr), as in a terminal, without changing the docs.
  const curlHome = join(context.cwd, '.curl-home')
  await mkdir(curlHome, { recursive: true })
  await writeFile(join(curlHome, '.curlrc'), 'silent\nshow-error\n')
  for (const step of steps) {
    const where = (text: string) => text.replaceAll('http://localhost:1080', context.origin ?? '')
    let command = where(fillIn(step.command, captures))
    command = command.replace(/^(npx\s+)?tuskit\b/, `"${process.execPath}" "${context.cli}"`)
    for (const [, file = ''] of command.matchAll(/@([\w.-]+)/g)) {
      const path = join(context.cwd, file)
      if (!existsSync(path)) await writeFile(path, `the contents of ${file}\n`)
    }
    const { code, stdout, stderr } = await bash(command, context.cwd, curlHome)
    const what = `$ ${step.command}`
    assert.equal(code, 0, `${what} exited with ${code}: ${stderr}`)
    const expected = where(step.expected)
    if (expected.startsWith('HTTP/')) matchHttp(expected, stdout, captures, what)
    else matchText(expected, `${stdout}${stderr}`.trim(), captures, what)
  }
}

function bash(
  command: string,
  cwd: string,
  curlHome: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', command],
      { cwd, env: { ...process.env, CURL_HOME: curlHome }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}
