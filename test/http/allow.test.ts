/**
 * The methods the endpoint advertises follow the routes its store and options turn on, in
 * every place they are named: `Allow` of a 405 and of an `OPTIONS` answer, per resource and
 * dialect, and a CORS preflight's allowed methods and request headers. A route turned off
 * (termination without the store's capability, downloads with `download: false`, the draft
 * with `ietfDraft: false`) is answered 405 and named nowhere.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTusHandler, type TusHandlerOptions } from '../../src/index.js'
import { withoutTermination } from '../helpers/limited-store.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { create, TUS } from './tus-client.js'

const APP = 'https://app.example.com'
const DRAFT = { 'Upload-Draft-Interop-Version': '8' }

interface Config {
  readonly name: string
  readonly options: TusHandlerOptions
  /** Whether the store can remove uploads (the termination extension). */
  readonly termination: boolean
  /** `Allow` of the creation URL and of an upload, per dialect; no `draft` when it is off. */
  readonly allow: {
    readonly tus: { readonly collection: string; readonly upload: string }
    readonly draft?: { readonly collection: string; readonly upload: string }
  }
}

const CONFIGS: readonly Config[] = [
  {
    name: 'default',
    options: {},
    termination: true,
    allow: {
      tus: { collection: 'OPTIONS, POST', upload: 'OPTIONS, HEAD, PATCH, DELETE, GET' },
      draft: {
        collection: 'OPTIONS, POST, PUT, PATCH',
        upload: 'OPTIONS, HEAD, PATCH, DELETE, GET',
      },
    },
  },
  {
    name: 'download: false',
    options: { download: false },
    termination: true,
    allow: {
      tus: { collection: 'OPTIONS, POST', upload: 'OPTIONS, HEAD, PATCH, DELETE' },
      draft: { collection: 'OPTIONS, POST, PUT, PATCH', upload: 'OPTIONS, HEAD, PATCH, DELETE' },
    },
  },
  {
    name: 'a store without termination',
    options: {},
    termination: false,
    allow: {
      tus: { collection: 'OPTIONS, POST', upload: 'OPTIONS, HEAD, PATCH, GET' },
      draft: { collection: 'OPTIONS, POST, PUT, PATCH', upload: 'OPTIONS, HEAD, PATCH, GET' },
    },
  },
  {
    name: 'download: false and a store without termination',
    options: { download: false },
    termination: false,
    allow: {
      tus: { collection: 'OPTIONS, POST', upload: 'OPTIONS, HEAD, PATCH' },
      draft: { collection: 'OPTIONS, POST, PUT, PATCH', upload: 'OPTIONS, HEAD, PATCH' },
    },
  },
  {
    name: 'ietfDraft: false',
    options: { ietfDraft: false },
    termination: true,
    allow: { tus: { collection: 'OPTIONS, POST', upload: 'OPTIONS, HEAD, PATCH, DELETE, GET' } },
  },
]

/** A server whose store, for `termination: false`, cannot remove uploads. */
async function serve(config: Config): Promise<TestServer> {
  const s = await startServer(config.options)
  if (config.termination) return s
  const tus = createTusHandler(withoutTermination(s.store), config.options)
  s.server.removeAllListeners('request')
  s.server.on('request', (req, res) => tus(req, res))
  return s
}

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .sort()
}

/** Every method named by `Allow` across the dialects that are on. */
function allMethods(config: Config): string[] {
  const values = Object.values(config.allow).flatMap((a) => [a.collection, a.upload])
  return [...new Set(values.flatMap((v) => list(v)))].sort()
}

/** Methods some route takes in some configuration. */
const ROUTED = ['POST', 'PUT', 'PATCH', 'HEAD', 'GET', 'DELETE']

for (const config of CONFIGS) {
  test(`${config.name}: Allow of 405 and OPTIONS lists exactly the enabled routes`, async () => {
    const s = await serve(config)
    try {
      const { url } = await create(s)
      const { tus, draft } = config.allow
      const dialects = [
        { name: 'tus', headers: TUS, allow: tus },
        ...(draft ? [{ name: 'draft', headers: DRAFT, allow: draft }] : []),
      ]
      for (const dialect of dialects) {
        const resources = [
          {
            label: `${dialect.name} creation URL`,
            url: s.endpoint,
            allow: dialect.allow.collection,
          },
          { label: `${dialect.name} upload`, url, allow: dialect.allow.upload },
        ]
        for (const { label, url: target, allow } of resources) {
          for (const method of ROUTED.filter((m) => !allow.split(', ').includes(m))) {
            const res = await fetch(target, { method, headers: dialect.headers })
            await res.arrayBuffer()
            assert.deepEqual(
              [res.status, res.headers.get('allow')],
              [405, allow],
              `${label} ${method}`,
            )
          }
          const res = await fetch(target, { method: 'OPTIONS', headers: dialect.headers })
          assert.deepEqual([res.status, res.headers.get('allow')], [204, allow], `${label} OPTIONS`)
        }
      }
    } finally {
      await s.close()
    }
  })

  test(`${config.name}: a preflight allows exactly the enabled methods`, async () => {
    const s = await serve(config)
    try {
      const { url } = await create(s)
      for (const target of [s.endpoint, url]) {
        const res = await fetch(target, {
          method: 'OPTIONS',
          headers: { Origin: APP, 'Access-Control-Request-Method': 'PATCH' },
        })
        assert.equal(res.status, 204)
        assert.deepEqual(list(res.headers.get('access-control-allow-methods')), allMethods(config))
        const headers = list(res.headers.get('access-control-allow-headers'))
        const draftOnly = ['upload-complete', 'upload-incomplete', 'upload-draft-interop-version']
        for (const name of ['tus-resumable', 'upload-offset', 'content-type', ...draftOnly]) {
          assert.equal(
            headers.includes(name),
            config.allow.draft !== undefined || !draftOnly.includes(name),
            `${config.name}: ${name} in ${headers.join(', ')}`,
          )
        }
        assert.equal(headers.includes('content-disposition'), config.allow.draft !== undefined)
        // Range is read by downloads only.
        assert.equal(headers.includes('range'), config.allow.tus.upload.includes('GET'))
      }
    } finally {
      await s.close()
    }
  })
}
