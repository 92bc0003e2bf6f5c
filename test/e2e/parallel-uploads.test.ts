/**
 * End to end with the real tus-js-client: `parallelUploads: 4` splits a file into four partial
 * uploads sent at once, then POSTs `Upload-Concat: final;<the four URLs>` (tus
 * concatenation). The final's stored bytes must be the file's, byte for byte.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import type * as tus from 'tus-js-client'
import { startServer } from '../helpers/server.js'
import { MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../helpers/files.js'
import { simpleRequest, TUS, uploadId } from '../helpers/requests.js'
import { startTusUpload } from '../fixtures/tus-upload.js'

const SIZE = 40 * MiB + 12345 // not a multiple of 4: the parts differ in length
let dir: string
let source: { path: string; sha256: string }

before(async () => {
  dir = await makeTempDir('tuskit-e2e-parallel-')
  const path = await writeRandomFile(join(dir, 'source.bin'), SIZE)
  source = { path, sha256: await sha256File(path) }
})

after(async () => {
  await removeDir(dir)
})

interface Sent {
  method: string
  url: string
  concat: string | undefined
}

async function parallelUpload(options: {
  relativeLocation?: boolean
  chunkSize?: number
}): Promise<void> {
  const server = await startServer(options.relativeLocation ? { relativeLocation: true } : {})
  const input = createReadStream(source.path)
  const sent: Sent[] = []
  try {
    const run = startTusUpload(
      input,
      {
        endpoint: server.endpoint,
        parallelUploads: 4,
        metadata: { filename: 'source.bin', filetype: 'application/octet-stream' },
        metadataForPartialUploads: { part: 'yes' },
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        onBeforeRequest(req: tus.HttpRequest) {
          sent.push({
            method: req.getMethod(),
            url: req.getURL(),
            concat: req.getHeader('Upload-Concat') as string | undefined,
          })
        },
      },
      { timeoutMs: 120_000 },
    )
    await run.done
    const url = run.upload.url
    assert.ok(url, 'tus-js-client knows the final URL')
    const finalId = uploadId(url)

    // four partial creations, then one final listing their (absolute) URLs in order
    const posts = sent.filter((r) => r.method === 'POST')
    assert.equal(posts.length, 5)
    assert.deepEqual(
      posts.slice(0, 4).map((r) => r.concat),
      ['partial', 'partial', 'partial', 'partial'],
    )
    const finalPost = posts[4]!
    assert.match(finalPost.concat ?? '', /^final;/)
    const listed = finalPost.concat!.slice('final;'.length).split(' ')
    assert.equal(listed.length, 4)
    for (const u of listed) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+\/files\/[A-Za-z0-9_-]+$/)
    const partIds = listed.map(uploadId)

    // the final, as a client sees it
    const head = await simpleRequest(url, 'HEAD', { ...TUS })
    assert.equal(head.status, 200)
    assert.equal(head.headers['upload-offset'], String(SIZE))
    assert.equal(head.headers['upload-length'], String(SIZE))
    assert.equal(
      head.headers['upload-concat'],
      `final;${partIds.map((id) => `/files/${id}`).join(' ')}`,
    )

    // and as stored: the same bytes as the source, its own metadata, parts kept
    assert.equal(await sha256File(join(server.directory, finalId)), source.sha256)
    const final = await server.store.get(finalId)
    assert.deepEqual(final.concat, { kind: 'final', parts: partIds })
    assert.deepEqual(
      { ...final.metadata },
      {
        filename: 'source.bin',
        filetype: 'application/octet-stream',
      },
    )
    let offset = 0
    for (const id of partIds) {
      const part = await server.store.get(id)
      assert.deepEqual(part.concat, { kind: 'partial' })
      assert.deepEqual({ ...part.metadata }, { part: 'yes' })
      assert.equal(part.offset, part.size)
      assert.equal(
        await sha256File(join(server.directory, id)),
        await sha256File(source.path, { start: offset, end: offset + part.offset }),
      )
      offset += part.offset
    }
    assert.equal(offset, SIZE)
  } finally {
    input.destroy()
    await server.close()
  }
}

describe('tus-js-client parallelUploads: 4 (concatenation)', () => {
  test('40 MiB, absolute Locations (the default), whole parts', () => parallelUpload({}))
  test('40 MiB, relative Locations, 4 MiB chunks', () =>
    parallelUpload({ relativeLocation: true, chunkSize: 4 * MiB }))
})
