import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from '../helpers/server.js'
import { TUS, create, patch } from './tus-client.js'

test('emits created, progress, finished and terminated', async () => {
  const s = await startServer()
  const log: string[] = []
  s.handler.events.on('created', (u) => log.push(`created ${u.size}`))
  s.handler.events.on('progress', (u) => log.push(`progress ${u.offset}`))
  s.handler.events.on('finished', (u) => log.push(`finished ${u.offset}`))
  s.handler.events.on('terminated', (id) => log.push(`terminated ${id.length}`))
  try {
    const { url } = await create(s, { 'Upload-Length': '10' })
    await patch(url, 0, 'hello')
    await patch(url, 5, '')
    await patch(url, 5, 'world')
    assert.equal((await fetch(url, { method: 'DELETE', headers: TUS })).status, 204)
    assert.deepEqual(log, [
      'created 10',
      'progress 5',
      'progress 10',
      'finished 10',
      'terminated 22',
    ])
  } finally {
    await s.close()
  }
})
