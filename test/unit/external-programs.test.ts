// The finder of outside programs that tests need: where it looks, and skip against fail.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHROMIUM, findProgram, type Program } from '../helpers/external.js'

/** Runs `fn` with environment variables set (undefined removes one), then restores them. */
async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  apply(vars)
  try {
    await fn()
  } finally {
    apply(saved)
  }
}

async function executable(path: string): Promise<void> {
  await writeFile(path, '')
  await chmod(path, 0o755)
}

test('Chromium: CHROMIUM_PATH first, then PATH, then playwright cache, newest first', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-external-'))
  try {
    const cache = join(dir, 'cache')
    for (const rev of ['1200', '1255']) {
      await mkdir(join(cache, `chromium-${rev}`, 'chrome-linux64'), { recursive: true })
      await executable(join(cache, `chromium-${rev}`, 'chrome-linux64', 'chrome'))
    }
    const bin = join(dir, 'bin')
    await mkdir(bin)
    const mine = join(dir, 'my-chrome')
    await executable(mine)
    await withEnv(
      { CHROMIUM_PATH: undefined, PLAYWRIGHT_BROWSERS_PATH: cache, PATH: bin },
      async () => {
        const cached = CHROMIUM.candidates().filter((c) => c.startsWith(cache) && existsSync(c))
        assert.deepEqual(cached, [
          join(cache, 'chromium-1255', 'chrome-linux64', 'chrome'),
          join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'),
        ])
        // A browser in PATH comes before the cache.
        await executable(join(bin, 'chromium'))
        assert.equal(findProgram(CHROMIUM), join(bin, 'chromium'))
      },
    )
    await withEnv({ CHROMIUM_PATH: mine }, async () => {
      assert.equal(findProgram(CHROMIUM), mine)
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a program is looked up in PATH by name, and missing ones are undefined', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-external-'))
  try {
    await executable(join(dir, 'tuskit-fake-tool'))
    await writeFile(join(dir, 'not-executable'), 'x')
    const program = (name: string): Program => ({
      name,
      install: 'nowhere',
      candidates: () => [name],
    })
    await withEnv({ PATH: dir }, async () => {
      assert.equal(findProgram(program('tuskit-fake-tool')), join(dir, 'tuskit-fake-tool'))
      assert.equal(findProgram(program('not-executable')), undefined)
      assert.equal(findProgram(program('tuskit-missing-tool')), undefined)
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
