/**
 * createTusHandler in the real Express 5, Express 4 and Connect: mounted under a prefix (which
 * they strip from req.url), nested in a router or sub-app, and at the root with `path`; the
 * app's other routes, before and after it, keep working.
 */
import { test } from 'node:test'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import connect from 'connect'
import express from 'express'
import express4 from 'express4'
import { createTusHandler, type TusHandler, type TusHandlerOptions } from '../../src/index.js'
import { assertRoute, assertTusMounted, listen, tempStore } from './harness.js'

type App = (req: IncomingMessage, res: ServerResponse) => void

interface Case {
  name: string
  options?: TusHandlerOptions
  /** The app around the handler. */
  app(tus: TusHandler): App
  /** Public creation URL path. */
  endpoint: string
  tusJs?: boolean
}

function expressApp(
  lib: typeof express,
  mount: (app: express.Express, tus: TusHandler) => void,
): (tus: TusHandler) => App {
  return (tus) => {
    const app = lib()
    app.get('/', (_req, res) => {
      res.send('home')
    })
    app.post('/echo', lib.json(), (req, res) => {
      res.json({ echo: (req.body as { x: unknown }).x })
    })
    mount(app, tus)
    // Declared after tuskit: reached only if tuskit passes the request on.
    app.get('/filesystem', (_req, res) => {
      res.send('after tuskit')
    })
    return app
  }
}

function connectApp(
  mount: (app: connect.Server, tus: TusHandler) => void,
): (tus: TusHandler) => App {
  return (tus) => {
    const app = connect()
    app.use('/echo', (req: IncomingMessage, res: ServerResponse) => {
      let body = ''
      req.setEncoding('utf8').on('data', (c: string) => (body += c))
      req.on('end', () => res.end(`echo ${JSON.parse(body).x}`))
    })
    mount(app, tus)
    app.use('/filesystem', (_req: IncomingMessage, res: ServerResponse) => res.end('after tuskit'))
    app.use((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => {
      if (req.url === '/') res.end('home')
      else next()
    })
    return app
  }
}

const cases: Case[] = []
for (const [name, lib] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  cases.push(
    {
      name: `${name}: app.use('/files', tus)`,
      app: expressApp(lib, (app, tus) => app.use('/files', tus)),
      endpoint: '/files/',
      tusJs: name === 'Express 5',
    },
    {
      name: `${name}: app.use('/api/uploads', tus) (a prefix that is not the path option)`,
      app: expressApp(lib, (app, tus) => app.use('/api/uploads', tus)),
      endpoint: '/api/uploads',
      tusJs: name === 'Express 4',
    },
    {
      name: `${name}: a Router at /api with router.use('/files', tus)`,
      app: expressApp(lib, (app, tus) => {
        const router = lib.Router()
        router.use('/files', tus)
        app.use('/api', router)
      }),
      endpoint: '/api/files',
    },
    {
      name: `${name}: app.use(tus) at the root with path /files`,
      options: { path: '/files' },
      app: expressApp(lib, (app, tus) => app.use(tus)),
      endpoint: '/files',
    },
  )
}
cases.push(
  {
    name: "Connect: app.use('/files', tus)",
    app: connectApp((app, tus) => app.use('/files', tus)),
    endpoint: '/files',
    tusJs: true,
  },
  {
    name: "Connect: a sub-app at /api with sub.use('/uploads', tus)",
    app: connectApp((app, tus) => {
      const sub = connect()
      sub.use('/uploads', tus)
      app.use('/api', sub)
    }),
    endpoint: '/api/uploads/',
  },
  {
    name: 'Connect: app.use(tus) at the root with path /files',
    options: { path: '/files' },
    app: connectApp((app, tus) => app.use(tus)),
    endpoint: '/files',
  },
)

for (const c of cases) {
  test(c.name, async () => {
    const temp = await tempStore()
    const tus = createTusHandler(temp.store, c.options ?? {})
    const server = await listen(createServer(c.app(tus)))
    try {
      await assertRoute(`${server.origin}/`, /home/)
      await assertRoute(`${server.origin}/filesystem`, /after tuskit/)
      await assertRoute(`${server.origin}/echo`, /"?echo"?:? ?7/, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ x: 7 }),
      })
      await assertTusMounted(server.origin, c.endpoint, temp.directory, c.tusJs)
    } finally {
      tus.close()
      await server.close()
      await temp.remove()
    }
  })
}
