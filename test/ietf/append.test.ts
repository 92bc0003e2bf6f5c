/** IETF draft appends: PATCH with Upload-Offset, Upload-Complete, application/partial-upload. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer, withServer, type TestServer } from '../helpers/server.js'
import { chunked } from '../helpers/raw-http.js'
import { h, type Headers, idOf, portOf, PROBLEM, problemOf, send, V8 } from './draft-client.js'

const PARTIAL: Headers = [['Content-Type', 'application/partial-upload']]

async function createDraft(s: TestServer, headers: Headers = [['Upload-Length', '11']]) {
  const res = await send(portOf(s), 'POST', '/files', [
    ...V8,
    ['Upload-Complete', '?0'],
    ...headers,
  ])
  assert.equal(res.status, 201)
  return idOf(res)
}

function append(
  s: TestServer,
  id: string,
  offset: number | string,
  complete: string,
  body: string | Buffer,
  extra: Headers = [],
) {
  return send(
    portOf(s),
    'PATCH',
    `/files/${id}`,
    [...V8, ...PARTIAL, ['Upload-Offset', String(offset)], ['Upload-Complete', complete], ...extra],
    body,
  )
}

test('appends with ?0 then ?1: 204, offsets, Upload-Complete, finish hook and event once', async () => {
  let hooks = 0
  const s = await startServer({
    onUploadFinish: () => {
      hooks++
      return { headers: { 'X-Done': 'yes' } }
    },
  })
  const events: string[] = []
  s.handler.events.on('progress', (u) => events.push(`progress ${u.offset}`))
  s.handler.events.on('finished', (u) => events.push(`finished ${u.offset}`))
  try {
    const id = await createDraft(s)
    let res = await append(s, id, 0, '?0', 'hello')
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '5')
    assert.equal(h(res, 'upload-complete'), '?0')
    assert.equal(h(res, 'upload-length'), '11')
    assert.equal(h(res, 'tus-resumable'), undefined)
    res = await append(s, id, 5, '?1', ' world')
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '11')
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal(h(res, 'x-done'), 'yes')
    assert.equal(hooks, 1)
    assert.deepEqual(events, ['progress 5', 'progress 11', 'finished 11'])
    assert.equal(await readFile(join(s.directory, id), 'utf8'), 'hello world')
    // The client lost the final response and sends the end again: answered, nothing changes.
    res = await append(s, id, 11, '?1', '')
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal(hooks, 1)
  } finally {
    await s.close()
  }
})

test('offset mismatch: 409, Upload-Offset, Upload-Complete: ?0, mismatching-upload-offset problem', async () => {
  await withServer(async (s) => {
    const id = await createDraft(s)
    assert.equal((await append(s, id, 0, '?0', 'hello')).status, 204)
    for (const [offset, complete] of [
      [3, '?0'],
      [9, '?1'],
    ] as const) {
      const res = await append(s, id, offset, complete, 'xx')
      assert.equal(res.status, 409)
      assert.equal(h(res, 'upload-offset'), '5')
      assert.equal(h(res, 'upload-complete'), '?0')
      assert.equal(h(res, 'content-type'), 'application/problem+json')
      assert.equal(h(res, 'tus-resumable'), undefined)
      assert.deepEqual(problemOf(res), {
        type: `${PROBLEM}mismatching-upload-offset`,
        title: 'offset from request does not match offset of resource',
        detail: 'Upload-Offset does not match the current offset',
        'expected-offset': 5,
        'provided-offset': offset,
        code: 'ERR_OFFSET_MISMATCH',
        status: 409,
      })
    }
    // Nothing changed, the length included.
    const stored = await s.store.get(id)
    assert.equal(stored.offset, 5)
    assert.equal(stored.size, 11)
  })
})

test('Content-Type application/partial-upload is required from interop 6 on, not for 5 or 3', async () => {
  await withServer(async (s) => {
    const id = await createDraft(s)
    for (const type of [undefined, 'application/offset+octet-stream', 'text/plain']) {
      const res = await send(
        portOf(s),
        'PATCH',
        `/files/${id}`,
        [
          ...V8,
          ...(type === undefined ? [] : ([['Content-Type', type]] as const)),
          ['Upload-Offset', '0'],
          ['Upload-Complete', '?0'],
        ],
        'abc',
      )
      assert.equal(res.status, 415, String(type))
      assert.match(res.body.toString(), /application\/partial-upload/)
    }
    // With parameters it is fine.
    let res = await append(s, id, 0, '?0', 'a', [
      ['Content-Type', 'application/partial-upload; x=1'],
    ])
    assert.equal(res.status, 204)
    // Interop 5 (tus-js-client 'ietf-draft-03') sends no Content-Type.
    res = await send(
      portOf(s),
      'PATCH',
      `/files/${id}`,
      [
        ['Upload-Draft-Interop-Version', '5'],
        ['Upload-Offset', '1'],
        ['Upload-Complete', '?0'],
      ],
      'bc',
    )
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-offset'), '3')
    assert.equal(h(res, 'upload-draft-interop-version'), '5')
  })
})

test('missing or malformed Upload-Offset / Upload-Complete: 400, nothing written', async () => {
  await withServer(async (s) => {
    const id = await createDraft(s)
    const cases: Headers[] = [
      [['Upload-Complete', '?0']],
      [['Upload-Offset', '0']],
      [
        ['Upload-Offset', '-1'],
        ['Upload-Complete', '?0'],
      ],
      [
        ['Upload-Offset', '0x0'],
        ['Upload-Complete', '?0'],
      ],
      [
        ['Upload-Offset', '0'],
        ['Upload-Complete', 'yes'],
      ],
    ]
    for (const headers of cases) {
      const res = await send(
        portOf(s),
        'PATCH',
        `/files/${id}`,
        [...V8, ...PARTIAL, ...headers],
        'x',
      )
      assert.equal(res.status, 400, JSON.stringify(headers))
    }
    assert.equal((await s.store.get(id)).offset, 0)
  })
})

test('Upload-Complete: ?1 declares the length of a deferred upload (Content-Length or chunked)', async () => {
  await withServer(async (s) => {
    let id = await createDraft(s, [])
    assert.equal((await append(s, id, 0, '?0', 'hello')).status, 204)
    let res = await append(s, id, 5, '?1', ' world')
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-length'), '11')
    assert.equal(h(res, 'upload-complete'), '?1')
    assert.equal((await s.store.get(id)).size, 11)

    id = await createDraft(s, [])
    res = await send(
      portOf(s),
      'PATCH',
      `/files/${id}`,
      [
        ...V8,
        ...PARTIAL,
        ['Upload-Offset', '0'],
        ['Upload-Complete', '?1'],
        ['Transfer-Encoding', 'chunked'],
      ],
      chunked(['abc', 'def']),
    )
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-length'), '6')
    assert.equal(h(res, 'upload-complete'), '?1')
  })
})

test('inconsistent lengths on PATCH: 400 inconsistent-upload-length, nothing written', async () => {
  await withServer(async (s) => {
    const id = await createDraft(s) // length 11
    const cases: Array<[string, string, Headers]> = [
      ['?1', 'hello', []], // ends at 5, not 11
      ['?0', 'hello world!', []], // past the length
      ['?0', 'hello', [['Upload-Length', '12']]], // another length
      ['?1', 'hello world', [['Upload-Length', '12']]], // the two lengths of the request differ
    ]
    for (const [complete, body, extra] of cases) {
      const res = await append(s, id, 0, complete, body, extra)
      assert.equal(res.status, 400, `${complete} ${body}`)
      assert.equal(problemOf(res)['type'], `${PROBLEM}inconsistent-upload-length`)
    }
    const stored = await s.store.get(id)
    assert.equal(stored.offset, 0)
    assert.equal(stored.size, 11)
    // The same length again is fine.
    const res = await append(s, id, 0, '?0', 'hello', [['Upload-Length', '11']])
    assert.equal(res.status, 204)
  })
})

test('413 from maxSize on a deferred upload carries Upload-Limit', async () => {
  await withServer({ maxSize: 8 }, async (s) => {
    const id = await createDraft(s, [])
    const res = await append(s, id, 0, '?1', 'too long body')
    assert.equal(res.status, 413)
    assert.equal(h(res, 'upload-limit'), 'max-size=8')
  })
})

test('interop 3: Upload-Incomplete instead of Upload-Complete', async () => {
  const s = await startServer()
  const V3: Headers = [['Upload-Draft-Interop-Version', '3']]
  try {
    let res = await send(portOf(s), 'POST', '/files', [...V3, ['Upload-Incomplete', '?1']], 'abc')
    assert.equal(res.status, 201)
    assert.equal(h(res.interims[0]!, 'upload-draft-interop-version'), '3')
    assert.equal(h(res, 'upload-incomplete'), '?1')
    assert.equal(h(res, 'upload-complete'), undefined)
    const id = idOf(res)
    // No Upload-Incomplete: this request completes the upload.
    res = await send(portOf(s), 'PATCH', `/files/${id}`, [...V3, ['Upload-Offset', '3']], 'def')
    assert.equal(res.status, 204)
    assert.equal(h(res, 'upload-incomplete'), '?0')
    assert.equal(h(res, 'upload-length'), '6')
    res = await send(portOf(s), 'HEAD', `/files/${id}`, V3)
    assert.equal(h(res, 'upload-incomplete'), '?0')
  } finally {
    await s.close()
  }
})

test('a newer request interrupts a hanging draft PATCH; HEAD then reports the exact offset', async () => {
  const s = await startServer()
  const { openRawRequest } = await import('../helpers/raw-http.js')
  const { waitFor } = await import('../helpers/requests.js')
  try {
    const id = await createDraft(s, [['Upload-Length', '1000']])
    const hanging = await openRawRequest(s.origin, 'PATCH', `/files/${id}`, {
      'Upload-Draft-Interop-Version': 8,
      'Content-Type': 'application/partial-upload',
      'Upload-Offset': 0,
      'Upload-Complete': '?1',
      'Content-Length': 1000,
    })
    try {
      await hanging.write(Buffer.alloc(300, 1))
      await waitFor(async () => (await s.store.get(id)).offset === 300, 3000, '300 bytes stored')
      const head = await send(portOf(s), 'HEAD', `/files/${id}`, V8)
      assert.equal(head.status, 204)
      assert.equal(h(head, 'upload-offset'), '300')
      assert.equal(h(head, 'upload-complete'), '?0')
      // The interrupted request is answered 400 if its connection still takes an answer.
      const answer = await hanging.response.catch(() => undefined)
      if (answer !== undefined) assert.equal(answer.status, 400)
      const res = await append(s, id, 300, '?1', Buffer.alloc(700, 2))
      assert.equal(res.status, 204)
      assert.equal(h(res, 'upload-complete'), '?1')
    } finally {
      hanging.destroy()
    }
  } finally {
    await s.close()
  }
})
