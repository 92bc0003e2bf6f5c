import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { once } from 'node:events'
import { nodeCoreRequest } from '../../src/adapters/node/request.js'

/** A server whose handler runs `inspect` with the core's view of each request. */
async function probe(
  inspect: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  client: (port: number) => Promise<void>,
): Promise<void> {
  const done: Array<Promise<void>> = []
  const server = http.createServer((req, res) => done.push(inspect(req, res)))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    await client((server.address() as net.AddressInfo).port)
    for (let i = 0; i < 100 && done.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(done.length, 1, 'the request reached the handler')
    await Promise.all(done)
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

/** A client that sends 3 of 100 announced body bytes, then goes away. */
async function sendPartAndLeave(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write('PATCH /files/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc')
  await new Promise((r) => setTimeout(r, 50))
  socket.destroy()
}

test('the lazy signal: first asked while open, it aborts when the client goes away', async () => {
  await probe(async (req, res) => {
    const { signal } = nodeCoreRequest(req, res)
    assert.equal(signal.aborted, false)
    await once(signal, 'abort')
    assert.equal(signal.aborted, true)
  }, sendPartAndLeave)
})

test('the lazy signal: first asked after the client went away, it is already aborted', async () => {
  await probe(async (req, res) => {
    const core = nodeCoreRequest(req, res)
    await once(res, 'close')
    assert.equal(core.signal.aborted, true)
  }, sendPartAndLeave)
})

test('the lazy signal: after a finished response it never aborts, asked before or after', async () => {
  await probe(
    async (req, res) => {
      const early = nodeCoreRequest(req, res)
      const earlySignal = early.signal
      const late = nodeCoreRequest(req, res)
      res.end('ok')
      await once(res, 'close')
      assert.equal(earlySignal.aborted, false)
      assert.equal(late.signal.aborted, false)
    },
    async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(await res.text(), 'ok')
    },
  )
})
