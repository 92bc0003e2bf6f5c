import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { TusError } from '../../src/index.js'
import { codeOf, locationId, problemOf, type Dialect, type Row } from './dialects.js'
import { FINISH_HEADER, storedAtLeast, type Probe, type ProbeOptions } from './probe.js'
import {
  PROMPT_MS,
  chunk,
  exchange,
  exchangeChunked,
  openChunked,
  openWithLength,
  within,
  type Plan,
  type WireResponse,
} from './wire.js'

/**
 * The lifecycle of one write (an append, or a creation carrying a body) as every dialect must
 * live it: what it answers, the offset after it, the bytes stored, how often the application
 * hears `onUploadFinish`, `finished` and `progress`, and that the upload's lock is free after.
 */
export interface Scenario {
  readonly title: string
  /** Rows the scenario means something for; every row when absent. */
  readonly applies?: (row: Row) => boolean
  readonly probe?: ProbeOptions
  run(row: Row, probe: Probe): Promise<void>
}

/** What a HEAD and the store say about an upload, and what the application has heard. */
interface Observed {
  offset: number
  /** The draft's `Upload-Complete` (interop 3: inverse `Upload-Incomplete`); tus: none. */
  complete: boolean | undefined
  stored: string
  finishHook: number
  finishedEvents: number
  /** Offset of the last `progress` event; `null` when none came. */
  lastProgress: number | null
}

const IDLE_MS = 300

/**
 * The state of an upload of `length` bytes holding `stored`: the finish hook ran `finishes`
 * times (the `finished` event as often unless told), and the last `progress` event reported
 * every stored byte (none came when nothing was stored).
 */
function expected(
  dialect: Dialect,
  length: number,
  stored: string,
  finishes: number,
  finishedEvents = finishes,
): Observed {
  return {
    offset: stored.length,
    complete: dialect.version === undefined ? undefined : stored.length === length,
    stored,
    finishHook: finishes,
    finishedEvents,
    lastProgress: stored.length > 0 ? stored.length : null,
  }
}

/**
 * HEAD (answered at once and not 423: the lock is free) plus the store and the records. Every
 * finish call must have seen the whole upload.
 */
async function observe(row: Row, probe: Probe, id: string, length: number): Promise<Observed> {
  const { dialect } = row
  const head = await exchange(probe.port, dialect.head(id))
  assert.equal(head.status, dialect.headStatus, `HEAD answered ${head.status}`)
  const state = dialect.state(head)
  for (const upload of probe.finishCalls) {
    assert.equal(upload.offset, length, `onUploadFinish saw ${upload.offset} of ${length} bytes`)
  }
  return {
    offset: state.offset,
    complete: state.complete,
    stored: (await probe.bytes(id)).toString('latin1'),
    finishHook: probe.finishCalls.length,
    finishedEvents: probe.finished.length,
    lastProgress: probe.progress.at(-1) ?? null,
  }
}

/** An append row's upload, made empty beforehand; a creation row makes it with its write. */
async function begin(row: Row, probe: Probe, length: number): Promise<string | undefined> {
  if (row.kind === 'creation') return undefined
  const res = await exchange(probe.port, row.dialect.create(length))
  assert.equal(res.status, 201, `creation answered ${res.status}`)
  const id = locationId(res)
  assert.ok(id, 'creation answered no Location')
  return id
}

/** The write a scenario is about, as the row sends it. */
function write(row: Row, id: string | undefined, length: number, complete: boolean): Plan {
  if (row.kind === 'creation') return row.dialect.createWithBody(length, complete)
  assert.ok(id !== undefined)
  return row.dialect.append(id, 0, complete)
}

function withHeaders(plan: Plan, extra: Plan['headers']): Plan {
  return { ...plan, headers: [...plan.headers, ...extra] }
}

/** Status of a write that succeeded. */
function okStatus(row: Row): number {
  return row.kind === 'creation' ? 201 : 204
}

/** The upload a write was about: known beforehand, else the one the endpoint created. */
function uploadOf(probe: Probe, id: string | undefined, res?: WireResponse): string {
  const found = id ?? (res && locationId(res)) ?? probe.created[0]
  assert.ok(found !== undefined, 'no upload was created')
  return found
}

/**
 * Error answers of a creation row must say where the upload is (it exists, and the client
 * resumes there); `undefined` for append rows, whose client knows.
 */
function locates(row: Row, res: WireResponse): boolean | undefined {
  return row.kind === 'creation' ? res.headers['location'] !== undefined : undefined
}

/**
 * Waits until the request that was cut is over: it failed, or it finished the upload. Never
 * fails itself: after the bound, the observations that follow say what went wrong.
 */
async function requestOver(probe: Probe, errorsBefore: number, finishing: boolean): Promise<void> {
  await probe.until(
    () => probe.errors.length > errorsBefore || (finishing && probe.finished.length > 0),
    PROMPT_MS,
  )
}

function completeWrite(framing: 'Content-Length' | 'chunked'): Scenario {
  return {
    title: `exact complete write (${framing}) → 2xx, offset 5, finish hook once, lock released`,
    async run(row, probe) {
      const known = await begin(row, probe, 5)
      const plan = write(row, known, 5, true)
      const res =
        framing === 'chunked'
          ? await exchangeChunked(probe.port, plan, ['hel', 'lo'])
          : await exchange(probe.port, plan, 'hello')
      const id = uploadOf(probe, known, res)
      // A client that lost the answer sends the end again: answered at once, nothing re-runs.
      const again = await exchange(probe.port, row.dialect.append(id, 5, true))
      assert.deepEqual(
        {
          status: res.status,
          finishHeader: res.headers[FINISH_HEADER],
          repeatStatus: again.status,
          ...(await observe(row, probe, id, 5)),
        },
        {
          status: okStatus(row),
          finishHeader: 'yes',
          repeatStatus: 204,
          ...expected(row.dialect, 5, 'hello', 1),
        },
      )
    },
  }
}

const partialThenComplete: Scenario = {
  title: 'partial then completing write → finish once, at the completing request only',
  async run(row, probe) {
    const known = await begin(row, probe, 10)
    const first = await exchange(probe.port, write(row, known, 10, false), 'hello')
    const id = uploadOf(probe, known, first)
    const between = await observe(row, probe, id, 10)
    const last = await exchange(probe.port, row.dialect.append(id, 5, true), 'world')
    assert.deepEqual(
      {
        first: { status: first.status, finishHeader: first.headers[FINISH_HEADER], ...between },
        last: {
          status: last.status,
          finishHeader: last.headers[FINISH_HEADER],
          ...(await observe(row, probe, id, 10)),
        },
      },
      {
        first: {
          status: okStatus(row),
          finishHeader: undefined,
          ...expected(row.dialect, 10, 'hello', 0),
        },
        last: {
          status: 204,
          finishHeader: 'yes',
          ...expected(row.dialect, 10, 'helloworld', 1),
        },
      },
    )
  },
}

const chunkedOverrun: Scenario = {
  title: 'chunked overrun (8 bytes for 5) → 413, offset 5, finish hook once',
  async run(row, probe) {
    const known = await begin(row, probe, 5)
    const res = await exchangeChunked(probe.port, write(row, known, 5, true), ['hel', 'lo123'])
    const id = uploadOf(probe, known, res)
    assert.deepEqual(
      {
        status: res.status,
        code: codeOf(res),
        location: locates(row, res),
        ...(await observe(row, probe, id, 5)),
      },
      {
        status: 413,
        code: 'ERR_BODY_TOO_LARGE',
        location: row.kind === 'creation' ? true : undefined,
        ...expected(row.dialect, 5, 'hello', 1),
      },
    )
  },
}

const lengthOverrun: Scenario = {
  title: 'Content-Length overrun (8 for 5) → refused before reading, nothing stored, no finish',
  async run(row, probe) {
    const known = await begin(row, probe, 5)
    // The body is never sent: only an answer given before reading it can arrive.
    const x = openWithLength(probe.port, write(row, known, 5, true), 8)
    const res = await within(x.response, PROMPT_MS, 'answer before the body was sent')
    x.cut()
    const { lengthOverrun: refusal, problemTypes } = row.dialect
    // A creation may be refused before the upload exists (draft) or after (tus): either way
    // nothing is stored.
    const id = known ?? locationId(res) ?? probe.created[0]
    const state =
      id === undefined ? expected(row.dialect, 5, '', 0) : await observe(row, probe, id, 5)
    assert.deepEqual(
      {
        status: res.status,
        code: codeOf(res),
        problem: problemTypes ? problemOf(res) : undefined,
        bytesInStore: await probe.totalStored(),
        ...state,
      },
      {
        status: refusal.status,
        code: refusal.code,
        problem: problemTypes ? refusal.problem : undefined,
        bytesInStore: 0,
        ...expected(row.dialect, 5, '', 0),
      },
    )
  },
}

const cutAfterEveryByte: Scenario = {
  title: 'chunked body cut after every byte, before the 0-chunk → complete, finish hook once',
  async run(row, probe) {
    const known = await begin(row, probe, 5)
    const x = openChunked(probe.port, write(row, known, 5, true))
    await x.send(chunk('hello'))
    await storedAtLeast(probe, () => known ?? probe.created[0], 5, PROMPT_MS)
    const errors = probe.errors.length
    x.cut()
    await requestOver(probe, errors, true)
    const id = uploadOf(probe, known)
    assert.deepEqual(await observe(row, probe, id, 5), expected(row.dialect, 5, 'hello', 1))
  },
}

const cutMidway: Scenario = {
  title: 'connection cut midway → offset = bytes stored, no finish; resume finishes once',
  async run(row, probe) {
    const known = await begin(row, probe, 10)
    const x = openChunked(probe.port, write(row, known, 10, true))
    await x.send(chunk('hello'))
    await storedAtLeast(probe, () => known ?? probe.created[0], 5, PROMPT_MS)
    const errors = probe.errors.length
    x.cut()
    await requestOver(probe, errors, false)
    const id = uploadOf(probe, known)
    const cut = await observe(row, probe, id, 10)
    const resume = await exchange(
      probe.port,
      row.dialect.append(id, cut.offset, true),
      'helloworld'.slice(cut.offset),
    )
    assert.deepEqual(
      {
        cut,
        resume: {
          status: resume.status,
          finishHeader: resume.headers[FINISH_HEADER],
          ...(await observe(row, probe, id, 10)),
        },
      },
      {
        cut: expected(row.dialect, 10, 'hello', 0),
        resume: {
          status: 204,
          finishHeader: 'yes',
          ...expected(row.dialect, 10, 'helloworld', 1),
        },
      },
    )
  },
}

const wrongOffset: Scenario = {
  title: 'wrong offset → 409 with the current offset, nothing stored, no hooks',
  // A creation has no offset to get wrong.
  applies: (row) => row.kind === 'append',
  async run(row, probe) {
    const id = (await begin(row, probe, 10))!
    const first = await exchange(probe.port, row.dialect.append(id, 0, false), 'hello')
    assert.equal(first.status, 204)
    // Ends the upload exactly (3 + 7 = 10), so only the offset is wrong.
    const res = await exchange(probe.port, row.dialect.append(id, 3, true), 'lo world')
    const { problemTypes } = row.dialect
    assert.deepEqual(
      {
        status: res.status,
        code: codeOf(res),
        offsetHeader: res.headers['upload-offset'],
        problem: problemTypes ? problemOf(res) : undefined,
        ...(await observe(row, probe, id, 10)),
      },
      {
        status: 409,
        code: 'ERR_OFFSET_MISMATCH',
        offsetHeader: '5',
        problem: problemTypes ? 'mismatching-upload-offset' : undefined,
        ...expected(row.dialect, 10, 'hello', 0),
      },
    )
  },
}

const checksumMismatch: Scenario = {
  title: 'checksum mismatch → 460, nothing stored, no finish',
  applies: (row) => row.dialect.checksum,
  async run(row, probe) {
    const known = await begin(row, probe, 5)
    const digest = createHash('sha1').update('other').digest('base64')
    const plan = withHeaders(write(row, known, 5, true), [['Upload-Checksum', `sha1 ${digest}`]])
    const res = await exchange(probe.port, plan, 'hello')
    const id = uploadOf(probe, known, res)
    assert.deepEqual(
      { status: res.status, code: codeOf(res), ...(await observe(row, probe, id, 5)) },
      { status: 460, code: 'ERR_CHECKSUM_MISMATCH', ...expected(row.dialect, 5, '', 0) },
    )
  },
}

const hookThrows: Scenario = {
  title: 'finish hook throws a TusError → its answer, bytes kept, no finished event, not re-run',
  probe: {
    finishHook: () => {
      throw new TusError('ERR_REJECTED', 422, 'rejected by post-processing')
    },
  },
  async run(row, probe) {
    const known = await begin(row, probe, 5)
    const res = await exchange(probe.port, write(row, known, 5, true), 'hello')
    const id = uploadOf(probe, known, res)
    const again = await exchange(probe.port, row.dialect.append(id, 5, true))
    assert.deepEqual(
      {
        status: res.status,
        code: codeOf(res),
        location: locates(row, res),
        repeatLocked: again.status === 423,
        ...(await observe(row, probe, id, 5)),
      },
      {
        status: 422,
        code: 'ERR_REJECTED',
        location: row.kind === 'creation' ? true : undefined,
        repeatLocked: false,
        ...expected(row.dialect, 5, 'hello', 1, 0),
      },
    )
  },
}

function idleTimeout(after: 'mid-body' | 'every byte'): Scenario {
  const length = after === 'mid-body' ? 10 : 5
  const finishes = after === 'mid-body' ? 0 : 1
  return {
    title:
      after === 'mid-body'
        ? 'idle timeout mid-body → 408, bytes kept, no finish'
        : 'idle timeout after every byte, before the 0-chunk → 408, complete, finish hook once',
    probe: { bodyIdleTimeout: IDLE_MS },
    async run(row, probe) {
      const known = await begin(row, probe, length)
      const x = openChunked(probe.port, write(row, known, length, true))
      await x.send(chunk('hello'))
      const res = await within(x.response, PROMPT_MS, '408 for the stalled body')
      x.cut()
      const id = uploadOf(probe, known, res)
      assert.deepEqual(
        {
          status: res.status,
          code: codeOf(res),
          location: locates(row, res),
          ...(await observe(row, probe, id, length)),
        },
        {
          status: 408,
          code: 'ERR_BODY_TIMEOUT',
          location: row.kind === 'creation' ? true : undefined,
          ...expected(row.dialect, length, 'hello', finishes),
        },
      )
    },
  }
}

export const SCENARIOS: readonly Scenario[] = [
  completeWrite('Content-Length'),
  completeWrite('chunked'),
  partialThenComplete,
  chunkedOverrun,
  lengthOverrun,
  cutAfterEveryByte,
  cutMidway,
  wrongOffset,
  checksumMismatch,
  hookThrows,
  idleTimeout('mid-body'),
  idleTimeout('every byte'),
]
