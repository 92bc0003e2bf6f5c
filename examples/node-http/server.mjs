// tuskit in a plain node:http server at /files, next to an ordinary route.
// Run from the repository root after `npm run build`: node examples/node-http/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import http from 'node:http'
import { createTusHandler, FileStore } from 'tuskit'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const tus = createTusHandler(new FileStore({ directory }), { path: '/files', maxSize: 1024 ** 3 })

const server = http.createServer((req, res) =>
  // tuskit answers everything under /files and calls next() for the rest.
  tus(req, res, (err) => {
    if (err) {
      console.error(err)
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('internal server error\n')
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('node:http server with a tus endpoint at /files/\n')
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('not found\n')
    }
  }),
)
server.requestTimeout = 0 // long uploads: no cap on a whole request...
server.setTimeout(60_000) // ...but close connections idle for a minute
server.listen(port, host, () => {
  console.log(`node:http example listening on http://${host}:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close())
