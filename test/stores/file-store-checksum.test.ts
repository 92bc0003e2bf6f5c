/**
 * FileStore's checksummed append on disk: the staging file, and what a crash at each step
 * leaves behind (reproduced by writing those files by hand, since a crash cannot be timed to
 * land inside the commit step reliably).
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { FileStore } from '../../src/index.js'
import { newUploadId } from '../../src/protocol/upload-id.js'
import type { ChecksumSpec } from '../../src/model/upload.js'

const dirs: string[] = []
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function freshStore(fsync = false): Promise<FileStore> {
  const directory = await mkdtemp(join(tmpdir(), 'tuskit-checksum-'))
  dirs.push(directory)
  return new FileStore({ directory, fsync })
}

function checksumOf(algorithm: string, data: Buffer | string): ChecksumSpec {
  const digest = createHash(algorithm).update(data).digest()
  return { algorithms: [algorithm], expected: () => ({ algorithm, digest }) }
}

async function files(store: FileStore): Promise<string[]> {
  return (await readdir(store.directory)).sort()
}

test('FileStore declares the checksum capability', async () => {
  const store = await freshStore()
  assert.ok(store.capabilities.has('checksum'))
})

test('the body is staged in <id>.chunk until verified; the data file is untouched meanwhile', async () => {
  for (const fsync of [false, true]) {
    const store = await freshStore(fsync)
    const id = newUploadId()
    await store.create({ id, size: 100, metadata: {} })
    await store.append(id, 0, Readable.from([Buffer.from('abc')]), { maxBytes: 100 })
    const body = new PassThrough()
    const appending = store.append(id, 3, body, {
      maxBytes: 97,
      checksum: checksumOf('sha1', 'defghi'),
    })
    body.write('def')
    let staged = ''
    for (let i = 0; i < 200 && staged !== 'def'; i++) {
      staged = await readFile(join(store.directory, `${id}.chunk`), 'utf8').catch(() => '')
      if (staged !== 'def') await new Promise((r) => setTimeout(r, 5))
    }
    assert.equal(staged, 'def', 'the received bytes are in the staging file')
    assert.equal(await readFile(join(store.directory, id), 'utf8'), 'abc', 'data untouched')
    assert.equal((await store.get(id)).offset, 3, 'get does not count staged bytes')
    body.end('ghi')
    assert.equal((await appending).offset, 9)
    assert.equal(await readFile(join(store.directory, id), 'utf8'), 'abcdefghi')
    assert.deepEqual(await files(store), [id, `${id}.json`], `fsync ${fsync}: staging removed`)
  }
})

test('a stale staging file (crash while receiving) is ignored, then removed by the next append', async () => {
  const store = await freshStore()
  const id = newUploadId()
  await store.create({ id, size: 10, metadata: {} })
  await store.append(id, 0, Readable.from([Buffer.from('ab')]), { maxBytes: 10 })
  await writeFile(join(store.directory, `${id}.chunk`), 'half a chunk')
  assert.equal((await store.get(id)).offset, 2)
  const next = await store.append(id, 2, Readable.from([Buffer.from('cd')]), { maxBytes: 8 })
  assert.equal(next.offset, 4)
  assert.deepEqual(await files(store), [id, `${id}.json`])
  assert.equal(await readFile(join(store.directory, id), 'utf8'), 'abcd')
})

test('a crash while committing: the marker keeps the old offset, the next append rolls back', async () => {
  for (const checksummed of [false, true]) {
    const store = await freshStore(true)
    const id = newUploadId()
    await store.create({ id, size: 20, metadata: {} })
    await store.append(id, 0, Readable.from([Buffer.from('12345')]), { maxBytes: 20 })
    // What a kill between "marker written" and "marker removed" leaves: the marker holding
    // the old offset, part of the verified chunk appended, the staging file.
    await writeFile(join(store.directory, `${id}.commit`), '5\n')
    await appendFile(join(store.directory, id), 'AB')
    await writeFile(join(store.directory, `${id}.chunk`), 'ABCD')
    assert.equal((await store.get(id)).offset, 5, 'the half-committed chunk is not reported')

    const body = Readable.from([Buffer.from('678')])
    const next = await store.append(id, 5, body, {
      maxBytes: 15,
      ...(checksummed ? { checksum: checksumOf('sha512', '678') } : {}),
    })
    assert.equal(next.offset, 8)
    assert.equal(await readFile(join(store.directory, id), 'utf8'), '12345678')
    assert.deepEqual(await files(store), [id, `${id}.json`], 'marker and staging gone')
  }
})

test('a torn commit marker (crash while writing it) means nothing was committed', async () => {
  const store = await freshStore()
  const id = newUploadId()
  await store.create({ id, size: 20, metadata: {} })
  await store.append(id, 0, Readable.from([Buffer.from('12345')]), { maxBytes: 20 })
  await writeFile(join(store.directory, `${id}.commit`), '5') // no newline yet
  await writeFile(join(store.directory, `${id}.chunk`), 'ABCD')
  assert.equal((await store.get(id)).offset, 5)
  const next = await store.append(id, 5, Readable.from([Buffer.from('6')]), {
    maxBytes: 15,
    checksum: checksumOf('sha1', '6'),
  })
  assert.equal(next.offset, 6)
  assert.deepEqual(await files(store), [id, `${id}.json`])
})

test('removing an upload removes its staging file and commit marker too', async () => {
  const store = await freshStore()
  const id = newUploadId()
  await store.create({ id, size: 10, metadata: {} })
  await writeFile(join(store.directory, `${id}.chunk`), 'x')
  await writeFile(join(store.directory, `${id}.commit`), '0')
  await store.remove(id)
  assert.deepEqual(await files(store), [])
})
