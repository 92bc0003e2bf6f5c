/**
 * End to end with the real tus-js-client (4.3.1) speaking the IETF draft, as
 * `protocol: 'ietf-draft-05'` (interop 6) and `'ietf-draft-03'` (interop 5): whole uploads in
 * chunks (also with the first chunk in the creation request), and an upload aborted in the
 * middle of a PATCH and resumed from the server's offset; sha256 verified each time.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import type * as tus from 'tus-js-client'
import { startServer, type TestServer } from '../helpers/server.js'
import { MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../helpers/files.js'
import { uploadId } from '../helpers/requests.js'
import {
  abortMidPatch,
  patches,
  startTusUpload,
  type RunningUpload,
} from '../fixtures/tus-upload.js'

const SIZE = 12 * MiB
const CHUNK = 1 * MiB
let dir: string
let source: { path: string; sha256: string }

before(async () => {
  dir = await makeTempDir('tuskit-e2e-ietf-')
  const path = await writeRandomFile(join(dir, 'source.bin'), SIZE)
  source = { path, sha256: await sha256File(path) }
})

after(async () => {
  await removeDir(dir)
})

const PROTOCOLS = [
  { protocol: 'ietf-draft-05', interop: '6' },
  { protocol: 'ietf-draft-03', interop: '5' },
] as const

/** A server that records the dialect headers of every request it gets. */
async function draftServer(): Promise<{ server: TestServer; seen: Array<[string, string]> }> {
  const seen: Array<[string, string]> = []
  const server = await startServer({
    onIncomingRequest(req) {
      seen.push([
        String(req.headers['upload-draft-interop-version']),
        String(req.headers['tus-resumable']),
      ])
    },
  })
  return { server, seen }
}

async function verifyStored(server: TestServer, url: string): Promise<void> {
  const id = uploadId(url)
  const stored = await server.store.get(id)
  assert.equal(stored.offset, SIZE)
  assert.equal(stored.size, SIZE)
  assert.equal(stored.metadata['filename'], 'source.bin')
  assert.equal(await sha256File(join(server.directory, id)), source.sha256)
}

for (const { protocol, interop } of PROTOCOLS) {
  describe(`tus-js-client protocol: '${protocol}' (interop ${interop})`, () => {
    for (const duringCreation of [false, true]) {
      test(`12 MiB in 1 MiB chunks${duringCreation ? ', first chunk in the creation POST' : ''}`, async () => {
        const { server, seen } = await draftServer()
        const input = createReadStream(source.path)
        try {
          const run = startTusUpload(input, {
            endpoint: server.endpoint,
            protocol,
            chunkSize: CHUNK,
            metadata: { filename: 'source.bin' },
            ...(duringCreation ? { uploadDataDuringCreation: true } : {}),
          } as tus.UploadOptions)
          await run.done
          const url = run.upload.url
          assert.ok(url)
          await verifyStored(server, url)
          const bodies = run.requests.filter(
            (r) => r.method === 'PATCH' || (duringCreation && r.method === 'POST'),
          )
          assert.equal(bodies.length, SIZE / CHUNK, 'one request per chunk, no retries')
          for (const r of bodies) assert.equal(r.status, r.method === 'POST' ? 201 : 204)
          assert.ok(seen.length > 0)
          for (const [version, tusResumable] of seen) {
            assert.equal(version, interop)
            assert.equal(tusResumable, 'undefined', 'the draft sends no Tus-Resumable')
          }
        } finally {
          input.destroy()
          await server.close()
        }
      })
    }

    test('aborted in the middle of a PATCH, then resumed from the server offset', async (t) => {
      const { server } = await draftServer()
      const input = createReadStream(source.path)
      const again = createReadStream(source.path)
      let run: RunningUpload | undefined
      try {
        const aborted = await abortMidPatch(
          input,
          {
            endpoint: server.endpoint,
            protocol,
            chunkSize: CHUNK,
            metadata: { filename: 'source.bin' },
          } as tus.UploadOptions,
          server.directory,
        )
        run = aborted.run
        const { acknowledged, storedAtAbort } = aborted
        const url = run!.upload.url
        assert.ok(url)
        assert.ok(storedAtAbort > 0 && storedAtAbort < SIZE)

        const resumed = startTusUpload(again, {
          uploadUrl: url,
          protocol,
          chunkSize: CHUNK,
          metadata: { filename: 'source.bin' },
        } as tus.UploadOptions)
        await resumed.done
        assert.equal(resumed.upload.url, url)
        assert.equal(resumed.requests[0]?.method, 'HEAD')
        const first = patches(resumed.requests)[0]?.offset
        assert.equal(first, resumed.requests[0]?.responseOffset, 'resumed at the offset HEAD gave')
        assert.ok(first !== undefined && first >= storedAtAbort && first >= acknowledged)
        assert.ok(
          resumed.requests.every((r) => r.method !== 'POST'),
          'no new upload',
        )
        await verifyStored(server, url)
        t.diagnostic(`aborted with ${storedAtAbort} bytes stored; resumed at ${first}`)
      } finally {
        await run?.abort()
        input.destroy()
        again.destroy()
        await server.close()
      }
    })
  })
}
