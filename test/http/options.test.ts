import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, withServer } from '../helpers/server.js'
import { EXTENSIONS, create } from './tus-client.js'

function assertOptions(res: Response): void {
  assert.equal(res.status, 204)
  assert.equal(res.headers.get('tus-version'), '1.0.0')
  assert.equal(res.headers.get('tus-resumable'), '1.0.0')
  assert.equal(res.headers.get('tus-extension'), EXTENSIONS)
}

test('OPTIONS on the creation URL without Tus-Resumable: 204 and the capabilities', async () => {
  await withServer(async (s) => {
    const res = await fetch(s.endpoint, { method: 'OPTIONS' })
    assertOptions(res)
    assert.equal(res.headers.get('tus-max-size'), null, 'no Tus-Max-Size without maxSize')
    assert.equal(await res.text(), '')
  })
})

test('OPTIONS on an upload URL answers the same', async () => {
  await withServer(async (s) => {
    const { url } = await create(s)
    const res = await fetch(url, { method: 'OPTIONS' })
    assertOptions(res)
    assert.equal(await res.text(), '')
  })
})

test('OPTIONS sends Tus-Max-Size only when maxSize is set', async () => {
  const s = await startServer({ maxSize: 1048576 })
  try {
    const res = await fetch(s.endpoint, { method: 'OPTIONS' })
    assertOptions(res)
    assert.equal(res.headers.get('tus-max-size'), '1048576')
  } finally {
    await s.close()
  }
  const zero = await startServer({ maxSize: 0 })
  try {
    const res = await fetch(zero.endpoint, { method: 'OPTIONS' })
    assert.equal(res.headers.get('tus-max-size'), '0')
  } finally {
    await zero.close()
  }
})

test('OPTIONS ignores a bogus or missing Tus-Resumable', async () => {
  await withServer(async (s) => {
    for (const value of ['9.9.9', '0.2.2', 'garbage', '1.0.0']) {
      const res = await fetch(s.endpoint, {
        method: 'OPTIONS',
        headers: { 'Tus-Resumable': value },
      })
      assertOptions(res)
    }
  })
})
