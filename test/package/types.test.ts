// The packed package's types as TypeScript users see them: the repository's tsc type-checks
// consumer files importing every entry, strict and without skipLibCheck, under each module
// resolution a Node.js project uses. The files call the API with right and wrong arguments
// (`@ts-expect-error`), so types that fell back to `any` would fail, and the list of files tsc
// read shows which declarations each kind of consumer got (.d.cts for require, .d.ts for import).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { installConsumer, linkFromRepo, packTuskit, root, run, type Packed } from './packed.js'

let packed: Packed
let consumer: string

before(async () => {
  packed = await packTuskit()
  ;({ dir: consumer } = await installConsumer(packed))
  // What a TypeScript user of tuskit has beside it: Node's types, and fastify for tuskit/fastify.
  linkFromRepo(consumer, ['@types/node', 'fastify'])
  await writeFile(join(consumer, 'esm.mts'), ESM_SOURCE)
  await writeFile(join(consumer, 'esm.ts'), ESM_SOURCE)
  await writeFile(join(consumer, 'cjs.cts'), CJS_SOURCE)
})

after(() => packed?.cleanup())

/** Uses every entry the way its docs show; each wrong call must be an error. */
const USES = `
const store: UploadStore = new FileStore({ directory: 'uploads' })
export const handler: TusHandler = createTusHandler(store, { path: '/files', maxSize: 1024 })
export const middleware: TusKoaMiddleware = createTusMiddleware(store)
export const plugin: TusFastifyPlugin = createTusPlugin(store)
export const factory: StoreFactory = () => store
export const contract: (name: string, make: StoreFactory) => void = runStoreContract
export const status: number = new TusError('ERR_TEAPOT', 418, 'a teapot').status
export const known: boolean = isTusError(new Error('x'))
const upload: Upload = { id: newUploadId(), size: 1, offset: 1, metadata: {}, createdAt: new Date() }
export const done: boolean = isComplete(upload) && isValidUploadId(upload.id)
export const notFound: TusError = tusError('ERR_UPLOAD_NOT_FOUND')

// @ts-expect-error: the first argument is a store, not a path
createTusHandler('/files')
// @ts-expect-error: a FileStore needs its directory
new FileStore({})
// @ts-expect-error: maxSize is a number of bytes
createTusHandler(store, { maxSize: 'big' })
// @ts-expect-error: a koa middleware takes a context and next
void middleware()
// @ts-expect-error: a store contract needs a name
runStoreContract(() => store)
// @ts-expect-error: tusError takes a code of the error table
tusError('ERR_NO_SUCH_CODE')
`

// The imports both forms share: import declarations, which CommonJS compiles to require.
const IMPORTS = `import {
  createTusHandler,
  FileStore,
  TusError,
  isTusError,
  type TusHandler,
  type UploadStore,
} from 'tuskit'
import { isComplete, isValidUploadId, newUploadId, tusError, type Upload } from 'tuskit/store'
import { runStoreContract, type StoreFactory } from 'tuskit/testing'
import { createTusMiddleware, type TusKoaMiddleware } from 'tuskit/koa'
import { createTusPlugin, type TusFastifyPlugin } from 'tuskit/fastify'
`

const ESM_SOURCE = `${IMPORTS}import { createWebHandler, type WebHandler } from 'tuskit/web'
${USES}
export const web: WebHandler = createWebHandler(store)
export const answer: Promise<Response> = web.handleRequest(new Request('http://127.0.0.1/files'))
// @ts-expect-error: handleRequest takes a Request
void web.handleRequest('/files')
`

// The CommonJS forms: import declarations (compiled to require) and import = require().
const CJS_SOURCE = `${IMPORTS}import web = require('tuskit/web')
${USES}
export const webHandler: web.WebHandler = web.createWebHandler(store)
// @ts-expect-error: handleRequest takes a Request
void webHandler.handleRequest('/files')
`

interface Mode {
  name: string
  compilerOptions: Record<string, string | boolean>
  files: string[]
  /** The declarations of tuskit's root entry that tsc must read, and those it must not. */
  reads: string[]
  skips: string[]
}

const CTS = 'dist/index.d.cts'
const DTS = 'dist/index.d.ts'

const MODES: Mode[] = [
  {
    name: 'node16',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    files: ['cjs.cts', 'esm.mts'],
    reads: [CTS, DTS],
    skips: [],
  },
  {
    name: 'nodenext',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    files: ['cjs.cts', 'esm.mts'],
    reads: [CTS, DTS],
    skips: [],
  },
  {
    name: 'bundler',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    files: ['esm.mts', 'esm.ts'],
    reads: [DTS],
    skips: [CTS],
  },
  {
    // No exports support: package.json's types and typesVersions lead to the CommonJS types,
    // which is what such a project (compiled to require) gets at run time. esModuleInterop as
    // `tsc --init` sets it (fastify's own types need it there).
    name: 'node10',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
    files: ['esm.ts'],
    reads: [CTS],
    skips: [DTS],
  },
]

for (const mode of MODES) {
  test(`types resolve and check with module resolution ${mode.name}`, async () => {
    const config = `tsconfig.${mode.name}.json`
    await writeFile(
      join(consumer, config),
      JSON.stringify({
        compilerOptions: {
          ...mode.compilerOptions,
          target: 'es2022',
          lib: ['es2022'],
          types: ['node'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: mode.files,
      }),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const out = await run(process.execPath, [tsc, '-p', config, '--listFiles'], consumer)
    assert.equal(out.code, 0, `tsc failed:\n${out.stdout}${out.stderr}`)
    const read = out.stdout.split('\n').filter((f) => f.includes('/node_modules/tuskit/'))
    for (const file of mode.reads) {
      assert.ok(
        read.some((f) => f.endsWith(`/tuskit/${file}`)),
        `${mode.name} reads ${file}`,
      )
    }
    for (const file of mode.skips) {
      assert.ok(!read.some((f) => f.endsWith(`/tuskit/${file}`)), `${mode.name} skips ${file}`)
    }
  })
}
