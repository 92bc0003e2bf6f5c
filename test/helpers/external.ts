// Finds the outside programs some tests need (a browser, curl, strace). A test that needs one calls
// `needProgram`: where the program is missing, the test skips with one line saying how to get
// it, except under CI (`CI` set), where a missing program fails the test: CI must never skip.
import { accessSync, constants, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'

/** An outside program: where to look for it and how a developer gets it. */
export interface Program {
  /** What the skip line calls it, e.g. "Chromium". */
  readonly name: string
  /** Absolute paths (or names looked up in PATH), tried in order. */
  readonly candidates: () => readonly string[]
  /** How to get it, one line. */
  readonly install: string
}

/** True when running under CI, where every test must run. */
export function underCi(): boolean {
  const ci = process.env['CI']
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `name` looked up in each folder of PATH (with Windows' extensions where they apply). */
export function inPath(name: string): string[] {
  const folders = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']
  return folders.flatMap((folder) => extensions.map((ext) => join(folder, name + ext)))
}

/** The first candidate that exists and is executable, or undefined. */
export function findProgram(program: Program): string | undefined {
  for (const candidate of program.candidates()) {
    const paths =
      candidate.includes('/') || candidate.includes('\\') ? [candidate] : inPath(candidate)
    const found = paths.find(isExecutable)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The program's path; when it is missing, skips `t` with one line saying how to get it (and
 * returns undefined), or fails under CI.
 */
export function needProgram(t: TestContext, program: Program): string | undefined {
  const path = findProgram(program)
  if (path !== undefined) return path
  const line = `${program.name} not found, so this test is skipped. ${program.install}`
  if (underCi()) assert.fail(`${program.name} not found, and CI must not skip. ${program.install}`)
  process.stderr.write(`\n*** SKIPPED: ${t.name}: ${line} ***\n\n`)
  t.skip(line)
  return undefined
}

/** Subfolders of `dir` whose names start with `prefix`, newest revision first. */
function revisions(dir: string, prefix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.startsWith(prefix))
      .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
      .map((name) => join(dir, name))
  } catch {
    return []
  }
}

/** Where playwright keeps the browsers it downloads, on this platform. */
function playwrightCache(): string {
  const set = process.env['PLAYWRIGHT_BROWSERS_PATH']
  if (set !== undefined && set !== '' && set !== '0') return set
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ms-playwright')
  if (process.platform === 'win32') {
    return join(process.env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'ms-playwright')
  }
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'ms-playwright')
}

/** The executables inside one playwright browser folder, for each platform's layout. */
const PLAYWRIGHT_LAYOUTS = [
  ['chrome-linux64', 'chrome'],
  ['chrome-linux', 'chrome'],
  ['chrome-mac-arm64', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
  ['chrome-mac', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
  ['chrome-win64', 'chrome.exe'],
  ['chrome-win', 'chrome.exe'],
]

/** Where browsers installed outside PATH live, by platform (app bundles, Program Files). */
const APP_LOCATIONS: Partial<Record<NodeJS.Platform, readonly string[]>> = {
  darwin: [
    join('/Applications', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'),
    join('/Applications', 'Google Chrome.app', 'Contents', 'MacOS', 'Google Chrome'),
  ],
  win32: [
    join(
      process.env['PROGRAMFILES'] ?? 'C:\\Program Files',
      'Google',
      'Chrome',
      'Application',
      'chrome.exe',
    ),
  ],
}

/**
 * Chromium or Chrome: `CHROMIUM_PATH`, then PATH and the platform's app folders, then playwright's cache
 * (`npx playwright install chromium` puts one there).
 */
export const CHROMIUM: Program = {
  name: 'Chromium',
  install:
    'Set CHROMIUM_PATH, or install one: apt-get install chromium (Debian/Ubuntu), ' +
    'brew install --cask chromium (macOS), or npx playwright install chromium.',
  candidates: () => {
    const set = process.env['CHROMIUM_PATH']
    if (set !== undefined && set !== '') return [set] // an explicit choice is not second-guessed
    return [
      // by name in PATH: Debian's and Ubuntu's packages, snap, Google's packages
      'chromium',
      'chromium-browser',
      'google-chrome',
      'google-chrome-stable',
      ...(APP_LOCATIONS[process.platform] ?? []),
      ...revisions(playwrightCache(), 'chromium-').flatMap((dir) =>
        PLAYWRIGHT_LAYOUTS.map((parts) => join(dir, ...parts)),
      ),
      // playwright's headless-only build runs the same pages
      ...revisions(playwrightCache(), 'chromium_headless_shell-').flatMap((dir) => [
        join(dir, 'chrome-headless-shell-linux64', 'chrome-headless-shell'),
        join(dir, 'chrome-linux', 'headless_shell'),
        join(dir, 'chrome-headless-shell-mac-arm64', 'chrome-headless-shell'),
        join(dir, 'chrome-headless-shell-mac-x64', 'chrome-headless-shell'),
      ]),
    ]
  },
}

/** curl, for tests that show what a command-line user sees. */
export const CURL: Program = {
  name: 'curl',
  install: 'Install it: apt-get install curl (Debian/Ubuntu), brew install curl (macOS).',
  candidates: () => ['curl'],
}

/** strace, to watch a server's system calls (Linux only). */
export const STRACE: Program = {
  name: 'strace',
  install: 'Install it: apt-get install strace (Debian/Ubuntu); it exists on Linux only.',
  candidates: () => ['strace'],
}
