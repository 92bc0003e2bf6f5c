/**
 * tuskit/koa in the real Koa 3: under koa-mount (which strips its prefix from ctx.url and
 * req.url), at the root with `path`, and behind @koa/router with a prefix; the app's other
 * routes keep working and storage failures reach Koa's error handling.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import Koa from 'koa'
import mount from 'koa-mount'
import Router from '@koa/router'
import type { TusHandlerOptions } from '../../src/index.js'
import { createTusMiddleware, type TusKoaMiddleware } from '../../src/adapters/koa.js'
import { assertRoute, assertTusMounted, get, listen, tempStore, TUS } from './harness.js'
import { failingStore } from './failing-store.js'

/** A Koa app with routes before and after `mountTus`. */
function app(mountTus: (app: Koa) => void): Koa {
  const koa = new Koa()
  koa.use(async (ctx, next) => {
    if (ctx.path === '/') ctx.body = 'home'
    else if (ctx.path === '/echo' && ctx.method === 'POST') {
      let body = ''
      for await (const chunk of ctx.req) body += String(chunk)
      ctx.body = { echo: (JSON.parse(body) as { x: unknown }).x }
    } else await next()
  })
  mountTus(koa)
  koa.use(async (ctx, next) => {
    if (ctx.path === '/filesystem') ctx.body = 'after tuskit'
    else await next()
  })
  return koa
}

const cases: Array<{
  name: string
  options?: TusHandlerOptions
  app(tus: TusKoaMiddleware): Koa
  endpoint: string
  tusJs?: boolean
}> = [
  {
    name: "koa-mount('/files', tus)",
    app: (tus) => app((koa) => koa.use(mount('/files', tus))),
    endpoint: '/files/',
    tusJs: true,
  },
  {
    name: "koa-mount('/api/uploads', tus) (a prefix that is not the path option)",
    app: (tus) => app((koa) => koa.use(mount('/api/uploads', tus))),
    endpoint: '/api/uploads',
  },
  {
    name: 'app.use(tus) at the root with path /files',
    options: { path: '/files' },
    app: (tus) => app((koa) => koa.use(tus)),
    endpoint: '/files',
    tusJs: true,
  },
  {
    name: "@koa/router with prefix /api: router.all('/files{/*rest}', tus), path /api/files",
    options: { path: '/api/files' },
    app: (tus) =>
      app((koa) => {
        const router = new Router({ prefix: '/api' })
        router.all('/files{/*rest}', tus)
        router.get('/status', (ctx) => {
          ctx.body = 'router status'
        })
        koa.use(router.routes())
      }),
    endpoint: '/api/files/',
  },
]

for (const c of cases) {
  test(`Koa: ${c.name}`, async () => {
    const temp = await tempStore()
    const tus = createTusMiddleware(temp.store, c.options ?? {})
    const server = await listen(createServer(c.app(tus).callback()))
    try {
      await assertRoute(`${server.origin}/`, /home/)
      await assertRoute(`${server.origin}/filesystem`, /after tuskit/)
      await assertRoute(`${server.origin}/echo`, /"echo":7/, {
        method: 'POST',
        body: JSON.stringify({ x: 7 }),
      })
      if (c.name.includes('router')) await assertRoute(`${server.origin}/api/status`, /router/)
      await assertTusMounted(server.origin, c.endpoint, temp.directory, c.tusJs)
    } finally {
      tus.close()
      await server.close()
      await temp.remove()
    }
  })
}

test('Koa: a storage failure is thrown to Koa, which answers 500 and emits error', async () => {
  const tus = createTusMiddleware(failingStore())
  const koa = new Koa()
  const errors: Error[] = []
  koa.on('error', (err: Error) => errors.push(err))
  koa.use(mount('/files', tus))
  const server = await listen(createServer(koa.callback()))
  try {
    const res = await get(`${server.origin}/files/abcdefghijklmnopqrstuv`, {
      method: 'HEAD',
      headers: TUS,
    })
    assert.equal(res.status, 500)
    assert.equal(errors[0]?.message, 'disk on fire')
  } finally {
    tus.close()
    await server.close()
  }
})
