/**
 * End to end with the real tus-js-client (Node build) against a real tuskit server: whole
 * uploads of files streamed from disk, chunked and not, and an upload aborted part way and
 * resumed from the server's offset.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { basename, join } from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import * as tus from 'tus-js-client'
import { startServer } from '../helpers/server.js'
import { KiB, MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../helpers/files.js'
import { headUpload, uploadId } from '../helpers/requests.js'
import {
  abortMidPatch,
  patches,
  startTusUpload,
  type RunningUpload,
} from '../fixtures/tus-upload.js'

interface Source {
  path: string
  size: number
  sha256: string
}

let dir: string
const sources: Record<'small' | 'large' | 'resume', Source> = {} as never

before(async () => {
  dir = await makeTempDir('tuskit-e2e-client-')
  const sizes = { small: 1 * MiB, large: 64 * MiB, resume: 32 * MiB } as const
  for (const [name, size] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
    const path = await writeRandomFile(join(dir, `${name}.bin`), size)
    sources[name] = { path, size, sha256: await sha256File(path) }
  }
})

after(async () => {
  await removeDir(dir)
})

/** Uploads `source` with tus-js-client and checks the stored bytes, offset and metadata. */
async function uploadAndVerify(
  source: Source,
  opts: { chunkSize?: number; input: 'fs-stream' | 'plain-readable'; duringCreation?: boolean },
): Promise<void> {
  const server = await startServer()
  const file = createReadStream(source.path)
  // A plain Readable (not an fs.ReadStream) makes tus-js-client buffer chunks from the stream
  // instead of re-opening the file by path; it then needs `uploadSize` and a `chunkSize`.
  const input: Readable = opts.input === 'fs-stream' ? file : file.pipe(new PassThrough())
  try {
    const filename = basename(source.path)
    const run = startTusUpload(input, {
      endpoint: server.endpoint,
      metadata: { filename, filetype: 'application/octet-stream' },
      ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
      ...(opts.input === 'plain-readable' ? { uploadSize: source.size } : {}),
      ...(opts.duringCreation ? { uploadDataDuringCreation: true } : {}),
    })
    await run.done
    const url = run.upload.url
    assert.ok(url, 'tus-js-client knows the upload URL')
    const id = uploadId(url)

    const head = await headUpload(url)
    assert.equal(head.status, 200)
    assert.equal(head.offset, source.size)
    assert.equal(head.length, source.size)
    const stored = await server.store.get(id)
    assert.equal(stored.metadata.filename, filename)
    assert.equal(stored.metadata.filetype, 'application/octet-stream')
    assert.equal(await sha256File(join(server.directory, id)), source.sha256)

    // One request per chunk and no retries; with creation-with-upload the POST carries the
    // first chunk.
    const chunk = opts.chunkSize ?? source.size
    const bodies = opts.duringCreation
      ? run.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH')
      : patches(run.requests)
    assert.equal(bodies.length, Math.ceil(source.size / chunk))
    bodies.forEach((r, i) => {
      assert.equal(r.status, r.method === 'POST' ? 201 : 204)
      assert.equal(r.offset ?? 0, i * chunk)
      assert.equal(r.responseOffset, Math.min(source.size, (i + 1) * chunk))
    })
  } finally {
    input.destroy()
    file.destroy()
    await server.close()
  }
}

describe('tus-js-client uploads whole files', () => {
  test('1 MiB, unchunked, from an fs.ReadStream', () =>
    uploadAndVerify(sources.small, { input: 'fs-stream' }))
  test('1 MiB, chunks of 256 KiB, from an fs.ReadStream', () =>
    uploadAndVerify(sources.small, { input: 'fs-stream', chunkSize: 256 * KiB }))
  test('1 MiB, chunks of 256 KiB, from a plain Readable with uploadSize', () =>
    uploadAndVerify(sources.small, { input: 'plain-readable', chunkSize: 256 * KiB }))
  test('1 MiB, chunks of 256 KiB, first chunk in the POST (creation-with-upload)', () =>
    uploadAndVerify(sources.small, {
      input: 'fs-stream',
      chunkSize: 256 * KiB,
      duringCreation: true,
    }))
  test('64 MiB, unchunked, from an fs.ReadStream', () =>
    uploadAndVerify(sources.large, { input: 'fs-stream' }))
  test('64 MiB, chunks of 5 MiB, from an fs.ReadStream', () =>
    uploadAndVerify(sources.large, { input: 'fs-stream', chunkSize: 5 * MiB }))
  test('64 MiB, chunks of 5 MiB, from a plain Readable with uploadSize', () =>
    uploadAndVerify(sources.large, { input: 'plain-readable', chunkSize: 5 * MiB }))
})

/** An in-memory tus-js-client URL storage, so `findPreviousUploads` works in a test. */
class MemoryUrlStorage implements tus.UrlStorage {
  private readonly entries = new Map<string, tus.PreviousUpload & { fingerprint: string }>()
  private next = 0
  async findAllUploads(): Promise<tus.PreviousUpload[]> {
    return [...this.entries.values()]
  }
  async findUploadsByFingerprint(fingerprint: string): Promise<tus.PreviousUpload[]> {
    return [...this.entries.values()].filter((e) => e.fingerprint === fingerprint)
  }
  async removeUpload(key: string): Promise<void> {
    this.entries.delete(key)
  }
  async addUpload(fingerprint: string, upload: tus.PreviousUpload): Promise<string> {
    const key = `tus::${fingerprint}::${this.next++}`
    this.entries.set(key, { ...upload, urlStorageKey: key, fingerprint })
    return key
  }
}

describe('abort part way, then resume', () => {
  const CHUNK = 1 * MiB

  /**
   * Starts an upload of the 32 MiB source and aborts it in the middle of a PATCH: once
   * tus-js-client reports 40 % sent from inside a request and the server has begun storing
   * that request's bytes. Resolves with the upload URL, the highest offset the server
   * acknowledged before, and the data file's size just before `abort()`.
   */
  async function uploadUntilAbort(
    endpoint: string,
    directory: string,
    extra: tus.UploadOptions = {},
  ): Promise<{ url: string; acknowledged: number; storedAtAbort: number }> {
    const { path, size } = sources.resume
    const input = createReadStream(path)
    let run: RunningUpload | undefined
    try {
      const aborted = await abortMidPatch(
        input,
        { endpoint, chunkSize: CHUNK, metadata: { filename: 'resume.bin' }, ...extra },
        directory,
      )
      run = aborted.run
      const { acknowledged, storedAtAbort } = aborted
      const url = run.upload.url
      assert.ok(url)
      await assert.rejects(run.done, /aborted by the test/)
      assert.ok(storedAtAbort > 0 && storedAtAbort < size)
      return { url, acknowledged, storedAtAbort }
    } finally {
      await run?.abort()
      input.destroy()
    }
  }

  /** Checks a resumed upload's requests and the stored bytes. */
  async function verifyResumed(
    resumed: RunningUpload,
    url: string,
    acknowledged: number,
    storedAtAbort: number,
    directory: string,
  ): Promise<number> {
    const { size, sha256 } = sources.resume
    assert.equal(resumed.upload.url, url)
    assert.equal(resumed.requests[0]?.method, 'HEAD', 'the resumed upload asks for the offset')
    const headOffset = resumed.requests[0]?.responseOffset
    const sent = patches(resumed.requests)
    assert.ok(sent.length > 0)
    const first = sent[0]!.offset
    assert.equal(first, headOffset, 'first PATCH starts at the offset HEAD answered')
    assert.ok(first !== undefined && first > 0, `resumed PATCH starts at ${first}, not 0`)
    assert.ok(first >= acknowledged, 'no acknowledged byte is sent again')
    assert.ok(first >= storedAtAbort, 'bytes stored before the abort are kept')
    let bytesAfterResume = 0
    for (const p of sent) {
      assert.equal(p.status, 204)
      bytesAfterResume += p.responseOffset! - p.offset!
    }
    assert.equal(bytesAfterResume, size - first)
    assert.ok(bytesAfterResume < size, `sent ${bytesAfterResume} of ${size} bytes after resume`)
    const head = await headUpload(url)
    assert.equal(head.offset, size)
    assert.equal(head.length, size)
    assert.equal(await sha256File(join(directory, uploadId(url))), sha256)
    return first
  }

  test('with uploadUrl: the resumed PATCH starts past 0 and the file is intact', async (t) => {
    const server = await startServer()
    const input = createReadStream(sources.resume.path)
    try {
      const { url, acknowledged, storedAtAbort } = await uploadUntilAbort(
        server.endpoint,
        server.directory,
      )
      const resumed = startTusUpload(input, { uploadUrl: url, chunkSize: CHUNK })
      await resumed.done
      const first = await verifyResumed(resumed, url, acknowledged, storedAtAbort, server.directory)
      t.diagnostic(
        `aborted with ${storedAtAbort} bytes on disk (${acknowledged} acknowledged); resumed at ${first}`,
      )
    } finally {
      input.destroy()
      await server.close()
    }
  })

  test('with findPreviousUploads and resumeFromPreviousUpload', async (t) => {
    const server = await startServer()
    const urlStorage = new MemoryUrlStorage()
    const input = createReadStream(sources.resume.path)
    try {
      const { url, acknowledged, storedAtAbort } = await uploadUntilAbort(
        server.endpoint,
        server.directory,
        { urlStorage },
      )
      let found: tus.PreviousUpload[] = []
      const resumed = startTusUpload(
        input,
        { endpoint: server.endpoint, chunkSize: CHUNK, urlStorage },
        {
          async prepare(upload) {
            found = await upload.findPreviousUploads()
            if (found[0] !== undefined) upload.resumeFromPreviousUpload(found[0])
          },
        },
      )
      await resumed.done
      assert.equal(found.length, 1, 'the aborted upload was remembered by fingerprint')
      assert.equal(found[0]?.uploadUrl, url)
      assert.ok(
        resumed.requests.every((r) => r.method !== 'POST'),
        'no new upload is created',
      )
      const first = await verifyResumed(resumed, url, acknowledged, storedAtAbort, server.directory)
      t.diagnostic(
        `aborted with ${storedAtAbort} bytes on disk (${acknowledged} acknowledged); resumed at ${first}`,
      )
    } finally {
      input.destroy()
      await server.close()
    }
  })
})
