import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCliArgs, UsageError, type CliConfig } from '../../src/cli/args.js'

function config(argv: string[]): CliConfig {
  const command = parseCliArgs(argv)
  assert.equal(command.kind, 'serve')
  return command.config
}

function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv)
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`)
    assert.doesNotMatch(err.message, /\n/, 'usage errors are one line')
    return err.message
  }
  assert.fail(`${argv.join(' ')} was accepted`)
}

test('defaults', () => {
  assert.deepEqual(config([]), {
    port: 1080,
    host: '127.0.0.1',
    directory: './uploads',
    path: '/files',
    maxSize: undefined,
    publicDir: undefined,
  })
})

test('every flag', () => {
  assert.deepEqual(
    config(
      '--port 0 --host ::1 --dir /tmp/u --path /api/uploads/ --max-size 1048576 --public ./pub'.split(
        ' ',
      ),
    ),
    {
      port: 0,
      host: '::1',
      directory: '/tmp/u',
      path: '/api/uploads',
      maxSize: 1048576,
      publicDir: './pub',
    },
  )
  assert.deepEqual(config(['-p', '8080', '-d', 'x', '--port=9000']).port, 9000)
})

test('--help and -h', () => {
  assert.deepEqual(parseCliArgs(['--help']), { kind: 'help' })
  assert.deepEqual(parseCliArgs(['-p', '1', '-h']), { kind: 'help' })
})

test('invalid ports', () => {
  for (const port of ['abc', '65536', '1.5', '', ' 80', '0x50', '1e3']) {
    assert.match(usageError(['--port', port]), /^--port must be an integer from 0 to 65535/)
  }
  assert.match(usageError(['--port']), /--port/)
})

test('invalid --max-size', () => {
  for (const size of ['-1', '1.5', 'lots', '99999999999999999', '1e6']) {
    assert.match(usageError([`--max-size=${size}`]), /^--max-size must be a whole number/)
  }
})

test('invalid --path', () => {
  for (const path of ['/', 'files', '/a//b', '/../x', '/a/./b', '/with space', '/q?x']) {
    assert.match(usageError(['--path', path]), /^--path must look like \/files/)
  }
})

test('--path may not hide the demo page', () => {
  assert.match(usageError(['--path', '/app.css']), /would hide the demo page's \/app.css/)
  assert.match(usageError(['--path', '/app.js']), /would hide/)
  assert.equal(config(['--path', '/app']).path, '/app')
})

test('empty values, unknown options and positionals', () => {
  assert.match(usageError(['--dir', '']), /^--dir must not be empty/)
  assert.match(usageError(['--host=']), /^--host must not be empty/)
  assert.equal(usageError(['--nope']), "Unknown option '--nope'")
  assert.match(usageError(['serve']), /^Unexpected argument 'serve'$/)
})
