// tuskit mounted in a Connect app, next to an ordinary route.
// Run from the repository root after `npm run build`: node examples/connect/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import http from 'node:http'
import connect from 'connect'
import { createTusHandler, FileStore } from 'tuskit'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const app = connect()

// Connect strips /files from req.url and keeps req.originalUrl, which tuskit reads: the
// Location it answers is /files/<id>.
app.use('/files', createTusHandler(new FileStore({ directory }), { maxSize: 1024 ** 3 }))

// An ordinary route (Connect answers 404 for anything else).
app.use((req, res, next) => {
  if (req.url !== '/') return next()
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.end('Connect app with a tus endpoint at /files/\n')
})

const server = http.createServer(app)
server.requestTimeout = 0 // long uploads: no cap on a whole request...
server.setTimeout(60_000) // ...but close connections idle for a minute
server.listen(port, host, () => {
  console.log(`Connect example listening on http://${host}:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close())
