/**
 * Every code of ERRORS, over real HTTP and through every adapter (node:http, Express, Connect,
 * Koa, Fastify, web on @hono/node-server): its status, `text/plain; charset=utf-8`, and the body
 * `<code>: <reason>\n`; the same error answered to a HEAD has no body. A hook throws the
 * error the request names, so each code reaches the same error-writing path a real fault
 * takes; the 412s keep their `Tus-Version`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ERRORS, type TusErrorCode, type TusHandlerOptions } from '../../src/index.js'
import { tusError } from '../../src/store.js'
import { ADAPTERS, assertErrorBody, get, tempStore, TUS } from './harness.js'

const CODES = Object.keys(ERRORS) as TusErrorCode[]

/** Refuses every request with the error its `X-Error` header names. */
const options: TusHandlerOptions = {
  onIncomingRequest(req) {
    const code = req.headers['x-error']
    if (typeof code === 'string') throw tusError(code as TusErrorCode)
  },
}

for (const [name, start] of Object.entries(ADAPTERS)) {
  test(`${name}: every code of ERRORS is answered "<code>: <reason>" with its status`, async () => {
    const temp = await tempStore()
    const running = await start(temp.store, options)
    try {
      const endpoint = `${running.origin}/files`
      for (const code of CODES) {
        const headers = { ...TUS, 'Upload-Length': '1', 'X-Error': code }
        const res = await get(endpoint, { method: 'POST', headers })
        if (ERRORS[code].status === 412) assert.equal(res.headers.get('tus-version'), '1.0.0')
        await assertErrorBody(res, code)
        const head = await get(`${endpoint}/abc`, { method: 'HEAD', headers })
        assert.equal(head.status, ERRORS[code].status, `HEAD ${code}`)
        assert.equal(await head.text(), '', `HEAD ${code} has no body`)
      }
    } finally {
      await running.close()
      await temp.remove()
    }
  })
}
