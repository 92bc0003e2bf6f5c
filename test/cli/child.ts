// Helpers for tests that run a server in a child process (the CLI, the examples).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The repository root: the nearest folder above this file whose package.json is tuskit's.
 * Walking up works whichever folder the tests were compiled into (build/, .tmp/x/).
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tuskit'
    ) {
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('tuskit package.json not found above the test file')
    dir = parent
  }
}

/** The CLI entry compiled with the tests (build/src/cli/main.js), not the one in dist/. */
export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Running {
  child: ChildProcess
  /** The `http://host:port` the process printed. */
  origin: string
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited (at once if it already has). */
  exited: Promise<Exit>
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
}

export interface RunOptions {
  cwd?: string
  env?: Record<string, string>
}

/** Runs `node <args>` to completion. */
export async function runNode(
  args: string[],
  options: RunOptions = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnNode(args, options)
  const out = collect(child)
  const exit = await exitOf(child)
  return { ...exit, stdout: out.stdout(), stderr: out.stderr() }
}

/**
 * Starts `node <args>` and resolves once it prints `listening on http://...`. Rejects (and
 * kills it) if it exits first or prints nothing within `timeoutMs`.
 */
export function startNode(
  args: string[],
  options: RunOptions = {},
  timeoutMs = 10_000,
): Promise<Running> {
  const child = spawnNode(args, options)
  const out = collect(child)
  const exited = exitOf(child)
  const stop = async (
    signal: NodeJS.Signals = 'SIGTERM',
    stopTimeoutMs = 10_000,
  ): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no "listening on" line within ${timeoutMs} ms; stderr: ${out.stderr()}`))
    }, timeoutMs)
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(out.stdout())
      if (match?.[1] === undefined) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      resolve({ child, origin: match[1], stdout: out.stdout, stderr: out.stderr, exited, stop })
    }
    child.stdout?.on('data', onData)
    void exited.then((exit) => {
      clearTimeout(timer)
      reject(new Error(`exited (${exit.code ?? exit.signal}) before listening: ${out.stderr()}`))
    })
  })
}

function spawnNode(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return { stdout: () => stdout, stderr: () => stderr }
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
}
