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
  assert.deepEqual(parseCliArgs(['-v', '-h']), { kind: 'help' })
})

test('--version and -v', () => {
  assert.deepEqual(parseCliArgs(['--version']), { kind: 'version' })
  assert.deepEqual(parseCliArgs(['-v']), { kind: 'version' })
  assert.deepEqual(parseCliArgs(['--port', 'abc', '-v']), { kind: 'version' })
})

test('--max-size takes binary suffixes', () => {
  assert.equal(config(['--max-size', '2G']).maxSize, 2147483648)
  assert.equal(config(['--max-size', '512k']).maxSize, 512 * 1024)
  assert.equal(config(['--max-size=100MiB']).maxSize, 100 * 1024 * 1024)
  assert.equal(config(['--max-size', '1048576']).maxSize, 1048576)
  assert.equal(config(['--max-size', '0']).maxSize, 0)
})

test('invalid ports', () => {
  for (const port of ['abc', '65536', '1.5', '', ' 80', '0x50', '1e3']) {
    assert.match(usageError(['--port', port]), /^--port must be an integer from 0 to 65535/)
  }
  assert.match(usageError(['--port']), /--port/)
})

test('invalid --max-size', () => {
  for (const size of ['-1', '1.5', '1.5G', 'lots', '1e6', '', '2 G', '1P']) {
    assert.equal(
      usageError([`--max-size=${size}`]),
      `--max-size must be a size like 1048576, 512K or 2G, got ${JSON.stringify(size)}`,
    )
  }
  // A negative number as the next argument is the flag's value, not an option.
  assert.equal(
    usageError(['--max-size', '-5']),
    '--max-size must be a size like 1048576, 512K or 2G, got "-5"',
  )
  for (const size of ['99999999999999999', '8192T']) {
    assert.equal(
      usageError(['--max-size', size]),
      `--max-size must be at most 9007199254740991 bytes, got "${size}"`,
    )
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
  assert.equal(usageError(['--nope']), 'unknown option "--nope"')
  assert.equal(usageError(['-x']), 'unknown option "-x"')
  assert.equal(usageError(['-hx']), 'unknown option "-x"')
  assert.equal(usageError(['serve']), 'unexpected argument "serve": tuskit takes only options')
  assert.equal(usageError(['--', '-p']), 'unexpected argument "-p": tuskit takes only options')
  assert.equal(usageError(['--nope\nx']), 'unknown option "--nope\\nx"')
})

test('a near miss names the flag meant', () => {
  assert.equal(
    usageError(['--maxsize', '1']),
    'unknown option "--maxsize", did you mean --max-size?',
  )
  assert.equal(
    usageError(['--max_size=1']),
    'unknown option "--max_size", did you mean --max-size?',
  )
  assert.equal(usageError(['--Port', '80']), 'unknown option "--Port", did you mean --port?')
  assert.equal(usageError(['--verison']), 'unknown option "--verison", did you mean --version?')
  assert.equal(usageError(['--frobnicate']), 'unknown option "--frobnicate"')
})

test('missing values and values given to switches', () => {
  assert.equal(usageError(['--port']), '--port needs a value')
  assert.equal(usageError(['-p']), '-p needs a value')
  assert.equal(usageError(['--dir', 'x', '--max-size']), '--max-size needs a value')
  assert.equal(usageError(['--help=yes']), '--help takes no value')
  assert.equal(usageError(['--version=1']), '--version takes no value')
  // The value was forgotten and the next flag taken for it.
  assert.equal(
    usageError(['--dir', '--port', '80']),
    '--dir needs a value but got the option "--port"; write --dir=--port if that is the value',
  )
  assert.equal(
    usageError(['-d', '-p', '80']),
    '-d needs a value but got the option "-p"; write --dir=-p if that is the value',
  )
  assert.equal(config(['--dir=--odd']).directory, '--odd')
})
