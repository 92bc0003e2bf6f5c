import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { headerProblem, responseProblem, statusProblem } from '../../src/protocol/sendable.js'

/**
 * Whether Node's own checks (those of `writeHead`) and the fetch API's accept the header. Only
 * strings count: header values are strings in tuskit's types (the runtimes would turn a number
 * or an array into text each their own way).
 */
function runtimesAccept(name: string, value: unknown): { node: boolean; fetch: boolean } {
  let node = typeof value === 'string'
  try {
    validateHeaderName(name)
    validateHeaderValue(name, value as string)
  } catch {
    node = false
  }
  let fetch = typeof value === 'string'
  try {
    new Headers([[name, value as string]])
  } catch {
    fetch = false
  }
  return { node, fetch }
}

test('a header is sendable exactly when Node accepts it, and then fetch does too', () => {
  const values: unknown[] = ['', 'a b', 'tab\there', 'café', 'ÿ', '\x7f', '\x00', 'a\rb', 'a\nb']
  values.push('文件.txt', 'é\u0100', '\u{1f600}', undefined, null, 5, ['a'])
  const names = ['X-Name', 'x_name!#$%&*+.^`|~', 'two words', 'Colon:', 'ключ', '', 'a\r\nb']
  for (const name of names) {
    for (const value of values) {
      const problem = headerProblem(name, value)
      const { node, fetch } = runtimesAccept(name, value)
      const label = `${JSON.stringify(name)}: ${JSON.stringify(value)} (${problem})`
      assert.equal(problem === undefined, node, label)
      if (problem === undefined) assert.ok(fetch, label)
    }
  }
})

test('a problem names the character by code point, never the value', () => {
  assert.equal(headerProblem('X-Name', '文件.txt'), 'its value holds U+6587, outside Latin-1')
  assert.equal(headerProblem('X-Why', 'secret\r\n'), 'its value holds U+000D')
  assert.equal(headerProblem('X-Name', undefined), 'its value is undefined, not a string')
  assert.equal(headerProblem('X-Name', null), 'its value is null, not a string')
  assert.equal(headerProblem('a b', 'x'), 'its name is not an HTTP token')
})

test('a final status is an integer from 200 to 599', () => {
  for (const status of [200, 204, 404, 460, 599]) assert.equal(statusProblem(status), undefined)
  for (const status of [199, 103, 600, 1000, 404.5, Number.NaN, '404', undefined]) {
    assert.ok(statusProblem(status), String(status))
  }
})

test('responseProblem names the first header that cannot be sent', () => {
  assert.equal(responseProblem(201, { Location: '/files/a', 'Upload-Offset': '0' }), undefined)
  assert.equal(
    responseProblem(204, { 'Upload-Offset': '3', 'X-Name': undefined }),
    'the response header X-Name cannot be sent: its value is undefined, not a string',
  )
  assert.equal(
    responseProblem(204, { 'a\r\nb': 'x' }),
    'the response header "a\\r\\nb" cannot be sent: its name is not an HTTP token',
  )
  assert.equal(
    responseProblem(1000, {}),
    'the response status 1000 is not an integer from 200 to 599',
  )
})
