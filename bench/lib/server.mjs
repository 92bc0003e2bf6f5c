// One benchmarked server, run as a child process by run.mjs (child_process.fork, so this is
// the node process itself and its /proc entry is the server's, not a wrapper's).
//
//   node lib/server.mjs <kind> <directory>
//
// Listens on 127.0.0.1 on a free port, tells the parent `{ type: 'ready', port, pid }` over
// IPC, and exits on `{ type: 'stop' }` (or when the parent goes away). Every kind uses the same
// node:http settings: no request timeout (a 1 GiB PATCH may take long), long keep-alive.
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [kind, directory] = process.argv.slice(2)
if (!kind || !directory) {
  console.error('usage: server.mjs <kind> <directory>')
  process.exit(2)
}

const TUS = { 'Tus-Resumable': '1.0.0' }

async function makeHandler() {
  switch (kind) {
    case 'tuskit':
    case 'tuskit-nofsync': {
      const { createTusHandler, FileStore } = await import('../../dist/index.js')
      const store = new FileStore({ directory, fsync: kind === 'tuskit' })
      const tus = createTusHandler(store, { path: '/files' })
      return (req, res) =>
        tus(req, res, () => {
          res.statusCode = 404
          res.end()
        })
    }
    case 'tuskit-baseline': {
      // Another build of tuskit (run.mjs --baseline), configured as 'tuskit' is.
      const dist = process.env.TUSKIT_BASELINE_DIST
      const { createTusHandler, FileStore } = await import(pathToFileURL(join(dist, 'index.js')))
      const tus = createTusHandler(new FileStore({ directory, fsync: true }), { path: '/files' })
      return (req, res) =>
        tus(req, res, () => {
          res.statusCode = 404
          res.end()
        })
    }
    case 'tus-server': {
      // The reference implementation with its default configuration.
      const { Server } = await import('@tus/server')
      const { FileStore } = await import('@tus/file-store')
      const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) })
      return (req, res) => tus.handle(req, res)
    }
    case 'naive':
      return naiveHandler()
    case 'sink':
      return sinkHandler()
    default:
      throw new Error(`unknown server kind ${kind}`)
  }
}

/**
 * The naive ceiling: just enough tus for the workloads. POST creates an id and an empty file,
 * PATCH appends the body with pipeline(req, createWriteStream(path, { flags: 'a' })) and
 * answers the file's size, HEAD answers fs.stat. No offset check, no locking, no fsync.
 */
function naiveHandler() {
  const lengths = new Map()
  const idOf = (url) => {
    const m = /^\/files\/([A-Za-z0-9_-]+)$/.exec(url)
    return m && lengths.has(m[1]) ? m[1] : undefined
  }
  return async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/files') {
        const id = randomBytes(16).toString('hex')
        await fs.promises.writeFile(join(directory, id), '')
        lengths.set(id, req.headers['upload-length'])
        req.resume()
        res.writeHead(201, { ...TUS, Location: `http://${req.headers.host}/files/${id}` })
        return res.end()
      }
      const id = idOf(req.url)
      if (id === undefined) {
        req.resume()
        res.writeHead(404, TUS)
        return res.end()
      }
      const path = join(directory, id)
      if (req.method === 'PATCH') {
        await pipeline(req, fs.createWriteStream(path, { flags: 'a' }))
        const { size } = await fs.promises.stat(path)
        res.writeHead(204, { ...TUS, 'Upload-Offset': size })
        return res.end()
      }
      if (req.method === 'HEAD') {
        const { size } = await fs.promises.stat(path)
        res.writeHead(200, {
          ...TUS,
          'Upload-Offset': size,
          'Upload-Length': lengths.get(id),
          'Cache-Control': 'no-store',
        })
        return res.end()
      }
      req.resume()
      res.writeHead(405, TUS)
      res.end()
    } catch (err) {
      res.writeHead(500, TUS)
      res.end(String(err))
    }
  }
}

/**
 * The client's ceiling: a server that stores nothing. It counts offsets in memory and
 * discards every body, so it measures what the client and node:http alone can do.
 */
function sinkHandler() {
  const uploads = new Map() // id -> { length, offset }
  return (req, res) => {
    if (req.method === 'POST' && req.url === '/files') {
      const id = randomBytes(16).toString('hex')
      uploads.set(id, { length: req.headers['upload-length'], offset: 0 })
      req.resume()
      res.writeHead(201, { ...TUS, Location: `http://${req.headers.host}/files/${id}` })
      return res.end()
    }
    const upload = uploads.get(req.url.slice('/files/'.length))
    if (upload === undefined) {
      req.resume()
      res.writeHead(404, TUS)
      return res.end()
    }
    if (req.method === 'PATCH') {
      req.on('data', (chunk) => (upload.offset += chunk.length))
      req.on('end', () => {
        res.writeHead(204, { ...TUS, 'Upload-Offset': upload.offset })
        res.end()
      })
      return
    }
    req.resume()
    res.writeHead(200, { ...TUS, 'Upload-Offset': upload.offset, 'Upload-Length': upload.length })
    res.end()
  }
}

const handler = await makeHandler()
const server = http.createServer(handler)
server.requestTimeout = 0
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, pid: process.pid })
})

function stop() {
  server.close()
  server.closeAllConnections()
  // process.exit lets --cpu-prof write its profile.
  setImmediate(() => process.exit(0))
}
process.on('message', (msg) => {
  if (msg?.type === 'stop') stop()
})
process.on('disconnect', stop)
process.on('SIGTERM', stop)
