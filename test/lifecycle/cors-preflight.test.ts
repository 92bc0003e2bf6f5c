/**
 * CORS preflights for every method the endpoint routes, in each dialect: the request itself
 * is sent first (proving the endpoint routes it), then the preflight a browser would send
 * before it, which must allow that method and every header that dialect's browser clients
 * (tus-js-client, Uppy, a draft client) send with it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { CorsOptions } from '../../src/index.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { INTEROP_VERSIONS, draft, locationId, tus, type Dialect } from './dialects.js'
import { exchange, type Plan, type WireResponse } from './wire.js'

const APP = 'https://app.example.com'

/** One routed method: the request that proves it is routed, and what a browser asks first. */
interface Routed {
  readonly label: string
  readonly method: string
  /** Request headers a browser client sends with it (named in the preflight). */
  readonly headers: readonly string[]
  /** Sends the request itself and returns its path and answer. */
  send(port: number): Promise<{ path: string; res: WireResponse; ok: number }>
}

/** Creates an upload to act on; resolves its path. */
async function newUpload(port: number, dialect: Dialect): Promise<string> {
  const res = await exchange(port, dialect.create(5))
  assert.equal(res.status, 201)
  return `/files/${locationId(res)}`
}

function at(path: string, method: string, headers: Plan['headers']): Plan {
  return { method, path, headers }
}

function tusRoutes(): Routed[] {
  const base: Plan['headers'] = [['Tus-Resumable', '1.0.0']]
  const onUpload =
    (method: string, ok: number, extra: Plan['headers'] = [], body = '') =>
    async (port: number) => {
      const path = await newUpload(port, tus)
      return { path, res: await exchange(port, at(path, method, [...base, ...extra]), body), ok }
    }
  return [
    {
      label: 'POST creation',
      method: 'POST',
      headers: [
        'Tus-Resumable',
        'Upload-Length',
        'Upload-Defer-Length',
        'Upload-Metadata',
        'Upload-Concat',
        'Upload-Checksum',
        'Content-Type',
        'X-HTTP-Method-Override',
        'X-Request-ID',
        'Authorization',
      ],
      send: async (port) => ({
        path: '/files',
        res: await exchange(port, tus.create(5)),
        ok: 201,
      }),
    },
    {
      label: 'HEAD',
      method: 'HEAD',
      headers: ['Tus-Resumable', 'X-Request-ID', 'Authorization'],
      send: onUpload('HEAD', 200),
    },
    {
      label: 'PATCH append',
      method: 'PATCH',
      headers: [
        'Tus-Resumable',
        'Upload-Offset',
        'Upload-Length',
        'Upload-Checksum',
        'Content-Type',
        'X-Request-ID',
        'Authorization',
      ],
      send: onUpload(
        'PATCH',
        204,
        [
          ['Content-Type', 'application/offset+octet-stream'],
          ['Upload-Offset', '0'],
        ],
        'hi',
      ),
    },
    {
      label: 'GET download',
      method: 'GET',
      headers: ['Authorization', 'X-Request-ID'],
      send: onUpload('GET', 200),
    },
    {
      label: 'DELETE termination',
      method: 'DELETE',
      headers: ['Tus-Resumable', 'X-Request-ID', 'Authorization'],
      send: onUpload('DELETE', 204),
    },
    {
      label: 'OPTIONS',
      method: 'OPTIONS',
      headers: ['Tus-Resumable', 'Authorization'],
      send: async (port) => ({
        path: '/files',
        res: await exchange(port, at('/files', 'OPTIONS', base)),
        ok: 204,
      }),
    },
  ]
}

function draftRoutes(version: number): Routed[] {
  const dialect = draft(version)
  const versionHeader: Plan['headers'] = [['Upload-Draft-Interop-Version', String(version)]]
  const completeName = version <= 3 ? 'Upload-Incomplete' : 'Upload-Complete'
  const creationHeaders = [
    'Upload-Draft-Interop-Version',
    completeName,
    'Upload-Length',
    'Content-Type',
    'Content-Disposition',
    'Upload-Metadata',
    'X-Request-ID',
    'Authorization',
  ]
  const creation = (method: string): Routed => ({
    label: `${method} creation`,
    method,
    headers: creationHeaders,
    send: async (port) => {
      const plan = dialect.createWithBody(5, true)
      const headers: Plan['headers'] = [
        ...plan.headers,
        ['Content-Type', 'text/plain'],
        ['Content-Disposition', 'attachment; filename="a.txt"'],
      ]
      return {
        path: '/files',
        res: await exchange(port, at('/files', method, headers), 'hello'),
        ok: 201,
      }
    },
  })
  const onUpload = (method: string, ok: number) => async (port: number) => {
    const path = await newUpload(port, dialect)
    return { path, res: await exchange(port, at(path, method, versionHeader)), ok }
  }
  const plain = ['Upload-Draft-Interop-Version', 'X-Request-ID', 'Authorization']
  return [
    creation('POST'),
    creation('PUT'),
    creation('PATCH'),
    {
      label: 'PATCH append',
      method: 'PATCH',
      headers: [
        'Upload-Draft-Interop-Version',
        'Upload-Offset',
        completeName,
        'Upload-Length',
        'Content-Type',
        'X-Request-ID',
        'Authorization',
      ],
      send: async (port) => {
        const path = await newUpload(port, dialect)
        const id = path.slice(path.lastIndexOf('/') + 1)
        return { path, res: await exchange(port, dialect.append(id, 0, false), 'hi'), ok: 204 }
      },
    },
    { label: 'HEAD', method: 'HEAD', headers: plain, send: onUpload('HEAD', 204) },
    { label: 'GET download', method: 'GET', headers: plain, send: onUpload('GET', 200) },
    {
      label: 'DELETE termination',
      method: 'DELETE',
      headers: plain,
      send: onUpload('DELETE', 204),
    },
    {
      label: 'OPTIONS',
      method: 'OPTIONS',
      headers: plain,
      send: async (port) => ({
        path: '/files',
        res: await exchange(port, at('/files', 'OPTIONS', versionHeader)),
        ok: 204,
      }),
    },
  ]
}

const DIALECTS: ReadonlyArray<{ name: string; routes: Routed[] }> = [
  { name: 'tus', routes: tusRoutes() },
  ...INTEROP_VERSIONS.map((v) => ({ name: `draft-${v}`, routes: draftRoutes(v) })),
]

const CONFIGS: ReadonlyArray<{ name: string; cors: CorsOptions | undefined }> = [
  { name: 'default, any origin', cors: undefined },
  { name: 'listed origin with credentials', cors: { origins: [APP], credentials: true } },
]

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
}

for (const config of CONFIGS) {
  for (const dialect of DIALECTS) {
    describe(`CORS preflight (${config.name}), ${dialect.name}`, () => {
      let server: TestServer
      let port: number
      before(async () => {
        server = await startServer(config.cors === undefined ? {} : { cors: config.cors })
        port = Number(new URL(server.origin).port)
      })
      after(() => server.close())

      for (const route of dialect.routes) {
        test(`${dialect.name} ${route.label} is routed and its preflight allows ${route.method} and its headers`, async () => {
          const { path, res, ok } = await route.send(port)
          assert.equal(res.status, ok, `${route.method} ${path} answered ${res.status}`)
          const preflight = await exchange(port, {
            method: 'OPTIONS',
            path,
            headers: [
              ['Origin', APP],
              ['Access-Control-Request-Method', route.method],
              [
                'Access-Control-Request-Headers',
                route.headers.map((h) => h.toLowerCase()).join(','),
              ],
            ],
          })
          const h = preflight.headers
          // Wildcards count only without credentials (Fetch standard).
          const wildcard = config.cors?.credentials !== true
          const methods = list(h['access-control-allow-methods'])
          const headers = list(h['access-control-allow-headers'])
          const anyMethod = wildcard && methods.includes('*')
          const anyHeader = wildcard && headers.includes('*')
          assert.deepEqual(
            {
              status: preflight.status >= 200 && preflight.status < 300,
              origin:
                h['access-control-allow-origin'] === APP ||
                (wildcard && h['access-control-allow-origin'] === '*'),
              credentials: h['access-control-allow-credentials'],
              missingMethod:
                anyMethod || methods.includes(route.method.toLowerCase()) ? [] : [route.method],
              missingHeaders: anyHeader
                ? []
                : route.headers.filter((name) => !headers.includes(name.toLowerCase())),
            },
            {
              status: true,
              origin: true,
              credentials: wildcard ? undefined : 'true',
              missingMethod: [],
              missingHeaders: [],
            },
          )
        })
      }
    })
  }
}
