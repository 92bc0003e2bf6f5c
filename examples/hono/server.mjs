// tuskit's web handler (Request -> Response) in a Hono app on @hono/node-server, next to an
// ordinary route. Run from the repository root after `npm run build`:
// node examples/hono/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { FileStore } from 'tuskit'
import { createWebHandler } from 'tuskit/web'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const tus = createWebHandler(new FileStore({ directory }), { path: '/files', maxSize: 1024 ** 3 })
const app = new Hono()

// An ordinary route.
app.get('/', (c) => c.text('Hono app with a tus endpoint at /files/\n'))

// Hono keeps the full URL, so the endpoint's path is /files and Location is /files/<id>.
app.all('/files/*', (c) => tus.handleRequest(c.req.raw))

const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(`Hono example listening on http://${host}:${info.port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close())
