// tuskit registered as a Fastify plugin under /files, next to an ordinary JSON route.
// Run from the repository root after `npm run build`: node examples/fastify/server.mjs
// Environment: PORT (default 3000, 0 picks a free one), HOST (default 127.0.0.1),
// UPLOAD_DIR (default ./uploads).
import Fastify from 'fastify'
import { FileStore } from 'tuskit'
import { createTusPlugin } from 'tuskit/fastify'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const directory = process.env.UPLOAD_DIR ?? './uploads'

const app = Fastify()

// An ordinary route; Fastify's own body parsers keep working outside the plugin.
app.get('/', async (_request, reply) => {
  reply.type('text/plain')
  return 'Fastify app with a tus endpoint at /files/\n'
})

// The plugin leaves request bodies unparsed in its own scope: tuskit streams them.
await app.register(createTusPlugin(new FileStore({ directory }), { maxSize: 1024 ** 3 }), {
  prefix: '/files',
})

await app.listen({ port, host })
console.log(`Fastify example listening on http://${host}:${app.server.address().port}`)

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close())
