/**
 * tuskit/fastify in the real Fastify 5: registered with a prefix, at the root, and inside a
 * prefixed scope; the app's own JSON parsing keeps working outside the plugin, while inside it
 * request bodies reach tuskit unread (past Fastify's 1 MiB bodyLimit, chunked or not).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import type { TusHandlerOptions } from '../../src/index.js'
import { createTusPlugin, type TusFastifyPlugin } from '../../src/adapters/fastify.js'
import { assertRoute, assertTusMounted, get, tempStore, TUS } from './harness.js'
import { failingStore } from './failing-store.js'
import { withoutTermination } from '../helpers/limited-store.js'

function app(register: (app: FastifyInstance) => void): FastifyInstance {
  const fastify = Fastify()
  fastify.get('/', async () => 'home')
  fastify.post('/echo', async (request) => ({ echo: (request.body as { x: unknown }).x }))
  register(fastify)
  fastify.get('/filesystem', async () => 'after tuskit')
  return fastify
}

async function start(fastify: FastifyInstance): Promise<string> {
  return fastify.listen({ port: 0, host: '127.0.0.1' })
}

const cases: Array<{
  name: string
  options?: TusHandlerOptions
  app(tus: TusFastifyPlugin): FastifyInstance
  endpoint: string
  tusJs?: boolean
}> = [
  {
    name: "register(plugin, { prefix: '/files' })",
    app: (tus) => app((f) => void f.register(tus, { prefix: '/files' })),
    endpoint: '/files/',
    tusJs: true,
  },
  {
    name: 'register(plugin) at the root with path /uploads',
    options: { path: '/uploads' },
    app: (tus) => app((f) => void f.register(tus)),
    endpoint: '/uploads',
  },
  {
    name: "register(plugin, { prefix: '/api' }) with path /api/files",
    options: { path: '/api/files' },
    app: (tus) =>
      app((f) => {
        void f.register(tus, { prefix: '/api' })
        f.get('/api/status', async () => 'api status')
      }),
    endpoint: '/api/files',
    tusJs: true,
  },
]

for (const c of cases) {
  test(`Fastify: ${c.name}`, async () => {
    const temp = await tempStore()
    const tus = createTusPlugin(temp.store, c.options ?? {})
    const fastify = c.app(tus)
    try {
      const origin = await start(fastify)
      await assertRoute(`${origin}/`, /home/)
      await assertRoute(`${origin}/filesystem`, /after tuskit/)
      // Fastify's JSON parser still works outside the plugin's scope.
      await assertRoute(`${origin}/echo`, /"echo":7/, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ x: 7 }),
      })
      if (c.name.includes("'/api'")) await assertRoute(`${origin}/api/status`, /api status/)
      await assertTusMounted(origin, c.endpoint, temp.directory, c.tusJs)
    } finally {
      await fastify.close()
      await temp.remove()
    }
  })
}

test('Fastify: a 3 MiB chunked PATCH and a creation-with-upload POST reach tuskit unread', async () => {
  const temp = await tempStore()
  const fastify = app((f) => void f.register(createTusPlugin(temp.store), { prefix: '/files' }))
  try {
    const origin = await start(fastify)
    const data = Buffer.alloc(3 * 1024 * 1024, 7)
    const post = await get(`${origin}/files`, {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(data.length),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: data.subarray(0, 1000),
    })
    assert.equal(post.status, 201, await post.text())
    assert.equal(post.headers.get('upload-offset'), '1000')
    const location = post.headers.get('location') ?? ''
    const rest = data.subarray(1000)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < rest.length; i += 256 * 1024) {
          controller.enqueue(rest.subarray(i, i + 256 * 1024))
        }
        controller.close()
      },
    })
    const patch = await get(location, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': '1000',
        'Content-Type': 'application/offset+octet-stream',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    assert.equal(patch.status, 204, await patch.text())
    assert.equal(patch.headers.get('upload-offset'), String(data.length))
    assert.deepEqual(await readFile(join(temp.directory, location.split('/').pop() ?? '')), data)
    // A PATCH with another content type is tuskit's to refuse (415), not Fastify's.
    const wrongType = await get(location, {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': String(data.length), 'Content-Type': 'application/json' },
      body: '{}',
    })
    assert.equal(wrongType.status, 415)
    assert.equal(wrongType.headers.get('tus-resumable'), '1.0.0')
  } finally {
    await fastify.close()
    await temp.remove()
  }
})

test('Fastify: a path outside the prefix is refused at registration', async () => {
  const temp = await tempStore()
  const fastify = Fastify()
  try {
    await assert.rejects(async () => {
      await fastify.register(createTusPlugin(temp.store, { path: '/files' }), { prefix: '/api' })
    }, /outside the plugin prefix/)
  } finally {
    await fastify.close().catch(() => undefined)
    await temp.remove()
  }
})

test("Fastify: a storage failure reaches Fastify's error handler", async () => {
  const fastify = Fastify()
  let seen: Error | undefined
  fastify.setErrorHandler(async (err: Error, _request, reply) => {
    seen = err
    return reply.code(500).send('app error handler')
  })
  void fastify.register(createTusPlugin(failingStore()), { prefix: '/files' })
  try {
    const origin = await start(fastify)
    const res = await get(`${origin}/files/abcdefghijklmnopqrstuv`, {
      method: 'HEAD',
      headers: TUS,
    })
    assert.equal(res.status, 500)
    assert.equal(seen?.message, 'disk on fire')
  } finally {
    await fastify.close()
  }
})

/** Which methods the plugin registers, per configuration: those the endpoint routes. */
const REGISTERED: ReadonlyArray<{
  name: string
  options: TusHandlerOptions
  termination: boolean
  methods: readonly string[]
}> = [
  {
    name: 'default',
    options: {},
    termination: true,
    methods: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE', 'GET', 'PUT'],
  },
  {
    name: 'download: false',
    options: { download: false },
    termination: true,
    methods: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE', 'PUT'],
  },
  {
    name: 'ietfDraft: false',
    options: { ietfDraft: false },
    termination: true,
    methods: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE', 'GET'],
  },
  {
    name: 'a store without termination',
    options: {},
    termination: false,
    methods: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'GET', 'PUT'],
  },
]

for (const c of REGISTERED) {
  test(`Fastify (${c.name}): the plugin registers exactly the methods the endpoint routes`, async () => {
    const temp = await tempStore()
    const store = c.termination ? temp.store : withoutTermination(temp.store)
    const fastify = Fastify()
    void fastify.register(createTusPlugin(store, c.options), { prefix: '/files' })
    try {
      const origin = await start(fastify)
      const created = await get(`${origin}/files`, {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': '1' },
      })
      assert.equal(created.status, 201)
      const upload = new URL(created.headers.get('location') ?? '', origin).pathname
      for (const path of ['/files', '/files/', upload]) {
        const reached: string[] = []
        for (const method of ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE', 'GET', 'PUT']) {
          if (method === 'DELETE' && path === upload) continue // keep the upload
          const res = await get(`${origin}${path}`, { method, headers: TUS })
          const body = await res.text()
          // tuskit answers every tus request with Tus-Resumable; Fastify's own 404 has none.
          if (res.headers.get('tus-resumable') === '1.0.0') reached.push(method)
          else assert.equal(res.status, 404, `${method} ${path}: ${body}`)
        }
        const expected = c.methods.filter((m) => !(m === 'DELETE' && path === upload))
        assert.deepEqual(reached.sort(), [...expected].sort(), path)
      }
      // DELETE reaches tuskit on the upload exactly when it is routed.
      const res = await get(`${origin}${upload}`, { method: 'DELETE', headers: TUS })
      await res.arrayBuffer()
      assert.equal(res.headers.get('tus-resumable') === '1.0.0', c.methods.includes('DELETE'))
    } finally {
      await fastify.close()
      await temp.remove()
    }
  })
}
