// tuskit mounted in an Express 5 app, next to an ordinary route.
// Run from the repository root after `npm run build`: node examples/express/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import express from 'express'
import { createTusHandler, FileStore } from 'tuskit'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const app = express()

// An ordinary route: tuskit only answers under its own mount point.
app.get('/', (_req, res) => {
  res.type('text').send('Express app with a tus endpoint at /files/\n')
})

// Express strips the mount prefix from req.url; tuskit reads req.originalUrl, so the Location
// it answers is /files/<id>. Put no body parser in front of it: it streams request bodies.
app.use('/files', createTusHandler(new FileStore({ directory }), { maxSize: 1024 ** 3 }))

// Storage failures reach Express's error handling through next(err).
app.use((err, _req, res, _next) => {
  console.error(err)
  res.status(500).type('text').send('internal server error\n')
})

const server = app.listen(port, host, (err) => {
  if (err) throw err
  console.log(`Express example listening on http://${host}:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close())
