// tuskit mounted in a Koa app with koa-mount, next to an ordinary route.
// Run from the repository root after `npm run build`: node examples/koa/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import Koa from 'koa'
import mount from 'koa-mount'
import { FileStore } from 'tuskit'
import { createTusMiddleware } from 'tuskit/koa'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const app = new Koa()

// koa-mount strips /files from ctx.url; tuskit reads ctx.originalUrl, so the Location it
// answers is /files/<id>. Put no body parser in front of it: it streams request bodies.
app.use(mount('/files', createTusMiddleware(new FileStore({ directory }), { maxSize: 1024 ** 3 })))

// An ordinary route: tuskit passes every request outside /files on with next().
app.use(async (ctx) => {
  if (ctx.path !== '/') return // 404
  ctx.type = 'text'
  ctx.body = 'Koa app with a tus endpoint at /files/\n'
})

const server = app.listen(port, host, () => {
  console.log(`Koa example listening on http://${host}:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close())
