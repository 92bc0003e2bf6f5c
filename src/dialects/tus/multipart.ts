import type { Readable } from 'node:stream'
import type Busboy from 'busboy'
import { createLog } from '../../util/log.js'
import { TusError, isTusError, tusError } from '../../model/errors.js'
import { single } from '../../protocol/headers.js'
import { stringifyMetadata } from '../../protocol/metadata.js'
import { type Metadata } from '../../model/upload.js'
import { createUpload } from '../../uploads/create-upload.js'
import type { Upload } from '../../model/upload.js'
import type { MethodContext, TusResponse, UploadContext } from '../../context/request.js'
import { uploadUrl } from '../../uploads/location.js'
import { finishUploadIfComplete } from '../../uploads/lifecycle.js'
import { withUploadLock } from '../../uploads/with-lock.js'
import { requireCjs } from '../../util/require-cjs.js'
import { watchIdle } from '../../streams/idle-timeout.js'
import { MULTIPART_DEFAULTS, type ResolvedMultipart } from '../../context/multipart-options.js'
import { formResponseBody, negotiateFormat, type FormUploadEntry } from './multipart-response.js'
import { NEVER_ABORTS } from '../../streams/never-aborts.js'

const log = createLog('multipart')

let busboy: typeof Busboy | undefined

/** busboy, loaded with the first form upload (most servers never get one). */
function loadBusboy(): typeof Busboy {
  return (busboy ??= requireCjs('busboy') as typeof Busboy)
}

// What a tus metadata key may hold (printable ASCII minus space and comma); form field names
// become metadata keys.
const METADATA_KEY = /^[\x21-\x2b\x2d-\x7e]+$/

/**
 * Whether a request is a classic form upload: a `multipart/form-data` POST to the creation
 * URL, with form uploads enabled. It needs no `Tus-Resumable` (plain forms cannot send it).
 */
export function isFormUpload(ctx: MethodContext): boolean {
  if (ctx.options.multipart === undefined || ctx.req.method !== 'POST') return false
  const type = single(ctx.req.headers['content-type'])
  return type !== undefined && /^\s*multipart\/form-data\s*(;|$)/i.test(type)
}

/**
 * A classic form upload (`<form enctype="multipart/form-data">`, `curl -F`): each file part
 * streams into the store as its own upload, created with a deferred length that is declared
 * when the part ends, so no part is ever held in memory. Form fields sent before a file become
 * its metadata, next to `filename` and `filetype` from the part. Hooks and events run as for
 * tus uploads; `onUploadFinish` and `finished` only once the whole form has been received.
 * All or nothing until then: on any error or a client abort, every upload the form created is
 * removed. Answers 201 with `Location` (the first upload) and the list of uploads as text,
 * JSON or HTML, as `Accept` asks.
 */
export async function handleMultipart(ctx: MethodContext): Promise<TusResponse> {
  const limits = ctx.options.multipart ?? MULTIPART_DEFAULTS
  if (!ctx.store.capabilities.has('creation-defer-length')) {
    throw tusError('ERR_MULTIPART_NOT_SUPPORTED')
  }
  const fileLimit = Math.min(limits.maxFileSize, ctx.maxSize ?? Infinity)
  let parser: Busboy.Busboy
  try {
    parser = loadBusboy()({
      headers: ctx.req.headers,
      // One byte past the limit, so that a file of exactly the limit is not flagged.
      limits: {
        fileSize: fileLimit + 1,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldSize,
      },
      // Browsers send file names as raw UTF-8.
      defParamCharset: 'utf8',
    })
  } catch (err) {
    throw malformed(err)
  }
  const uploads = await receiveForm(ctx, parser, limits, fileLimit)
  if (uploads.length === 0) throw tusError('ERR_NO_FILE')

  const headers: Record<string, string> = {}
  for (const upload of uploads) {
    await withUploadLock({ ...ctx, id: upload.id }, () =>
      finishUploadIfComplete(ctx, undefined, upload, headers),
    )
  }
  const entries: FormUploadEntry[] = uploads.map((upload) => ({
    location: uploadUrl(ctx, upload.id),
    id: upload.id,
    filename: upload.metadata['filename'] ?? null,
    size: upload.offset,
  }))
  const response = formResponseBody(negotiateFormat(ctx.req.headers.accept), entries)
  return {
    status: 201,
    headers: { ...headers, ...response.headers, Location: entries[0]?.location ?? '' },
    body: response.body,
  }
}

/**
 * Streams the form into the store, one file after the other; resolves with the complete
 * uploads in form order. On the first failure it stops reading, waits for the file being
 * stored to settle, removes every upload created so far and rejects.
 */
async function receiveForm(
  ctx: MethodContext,
  parser: Busboy.Busboy,
  limits: ResolvedMultipart,
  fileLimit: number,
): Promise<Upload[]> {
  const body = ctx.req.body
  const fields: Metadata = Object.create(null) as Metadata
  const created: string[] = []
  const uploads: Upload[] = []
  let queue: Promise<void> = Promise.resolve()
  let failure: unknown
  let rejectFailed: (err: unknown) => void = () => undefined
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject))
  failed.catch(() => undefined)
  const fail = (err: unknown): void => {
    if (failure !== undefined) return
    failure = err
    rejectFailed(err)
  }

  parser.on('field', (name, value, info) => {
    if (failure !== undefined) return
    if (info.valueTruncated || info.nameTruncated) {
      return fail(
        tusError(
          'ERR_FIELD_TOO_LARGE',
          `form field ${quote(name)} is longer than ${limits.maxFieldSize} bytes`,
        ),
      )
    }
    if (!METADATA_KEY.test(name)) {
      return fail(
        tusError('ERR_INVALID_METADATA', `form field name ${quote(name)} cannot be a metadata key`),
      )
    }
    if (Object.hasOwn(fields, name)) {
      return fail(tusError('ERR_INVALID_METADATA', `form field ${quote(name)} is repeated`))
    }
    fields[name] = value
  })
  parser.on('file', (_name, stream, info) => {
    // Its failures reach the append that reads it; a stream destroyed later must not throw.
    stream.on('error', () => undefined)
    if (failure !== undefined) return void stream.resume()
    // The fields sent so far, frozen now: later fields belong to later files.
    const metadata: Metadata = { ...fields }
    if (info.filename !== undefined) metadata['filename'] = info.filename
    metadata['filetype'] = info.mimeType
    queue = queue
      .then(async () => {
        if (failure !== undefined) return void stream.resume()
        const upload = await receiveFile(ctx, stream, info.filename, metadata, fileLimit, created)
        if (upload !== undefined) uploads.push(upload)
      })
      .catch((err: unknown) => {
        stream.resume()
        fail(err)
      })
  })
  parser.on('filesLimit', () =>
    fail(tusError('ERR_TOO_MANY_FILES', `the form has more than ${limits.maxFiles} files`)),
  )
  parser.on('fieldsLimit', () =>
    fail(tusError('ERR_TOO_MANY_FIELDS', `the form has more than ${limits.maxFields} fields`)),
  )
  parser.on('error', (err: unknown) => fail(malformed(err)))
  const parsed = new Promise<void>((resolve) => parser.once('finish', resolve))
  const onAbort = (): void =>
    fail(tusError('ERR_INVALID_MULTIPART', 'the client went away before the form was complete'))
  const onBodyError = (err: unknown): void => fail(malformed(err))
  ctx.req.signal.addEventListener('abort', onAbort, { once: true })
  body.on('error', onBodyError)
  // A client that stops sending is cut off after `bodyIdleTimeout`, as for tus bodies.
  const idle = watchIdle(body, ctx.options.bodyIdleTimeout, NEVER_ABORTS, () =>
    tusError('ERR_BODY_TIMEOUT', 'the form stalled for too long; its uploads were removed', {
      Connection: 'close',
    }),
  )
  idle.signal.addEventListener('abort', () => fail(idle.signal.reason), { once: true })
  body.pipe(parser)

  try {
    await Promise.race([parsed, failed]) // every part read, every file stream ended
    await Promise.race([queue, failed]) // and the last file stored
    return uploads
  } catch (err) {
    body.unpipe(parser)
    parser.destroy() // ends the file stream being stored, if any
    await queue // settled: every task catches
    await removeAll(ctx, created)
    throw err
  } finally {
    idle.stop()
    ctx.req.signal.removeEventListener('abort', onAbort)
    body.off('error', onBodyError)
  }
}

/**
 * Creates an upload of unknown length for one file part, streams the part into it and
 * declares its length. Resolves `undefined` for a part with neither file name nor bytes (a
 * file input left empty). Ids it creates go into `created`, for the caller's clean-up.
 */
async function receiveFile(
  ctx: MethodContext,
  stream: Readable,
  filename: string | undefined,
  proposed: Metadata,
  fileLimit: number,
  created: string[],
): Promise<Upload | undefined> {
  if (filename === undefined && (await isEmptyPart(stream))) {
    stream.resume()
    return undefined
  }
  if (stringifyMetadata(proposed).length > ctx.options.maxMetadataSize) {
    throw tusError('ERR_METADATA_TOO_LARGE', "a file's name, type and form fields are too large")
  }
  const upload = await createUpload(ctx, { size: undefined, metadata: proposed })
  const { id } = upload
  created.push(id)
  ctx.events.emit('created', upload)
  const uctx: UploadContext = { ...ctx, id }
  return withUploadLock(uctx, async (interrupt) => {
    let stored: Upload
    try {
      stored = await ctx.store.append(id, 0, stream, {
        maxBytes: Number.isFinite(fileLimit) ? fileLimit : Number.MAX_SAFE_INTEGER,
        signal: interrupt,
      })
    } catch (err) {
      if (isTooLarge(stream, err)) throw tooLarge(fileLimit)
      if (isTusError(err)) throw err
      if (interrupt.aborted) throw tusError('ERR_UPLOAD_INTERRUPTED')
      // The file stream failed: the form was cut off or malformed; the parser says why.
      throw malformed(err)
    }
    if (isTooLarge(stream, undefined)) throw tooLarge(fileLimit)
    if (stored.offset !== upload.offset) ctx.events.emit('progress', stored)
    return ctx.store.declareLength ? ctx.store.declareLength(id, stored.offset) : stored
  })
}

/** Waits for the first bytes or the end of a part; `true` if it ended with no bytes. */
function isEmptyPart(stream: Readable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (empty: boolean): void => {
      stream.off('readable', onReadable)
      stream.off('end', onEnd)
      stream.off('error', onError)
      resolve(empty)
    }
    const onReadable = (): void => done(stream.readableLength === 0)
    // A part that already ended with no bytes emits 'end' without 'readable'.
    const onEnd = (): void => done(true)
    const onError = (): void => done(false) // the caller's append reports the error
    stream.on('readable', onReadable)
    stream.on('end', onEnd)
    stream.on('error', onError)
  })
}

function isTooLarge(stream: Readable, err: unknown): boolean {
  return (
    (stream as Readable & { truncated?: boolean }).truncated === true ||
    (isTusError(err) && err.status === 413)
  )
}

function tooLarge(fileLimit: number): TusError {
  return tusError(
    'ERR_MAX_SIZE_EXCEEDED',
    `a file in the form is larger than the maximum size (${fileLimit} bytes)`,
  )
}

function malformed(err: unknown): TusError {
  if (isTusError(err)) return err
  const reason = err instanceof Error ? err.message : String(err)
  return tusError('ERR_INVALID_MULTIPART', `multipart/form-data body is malformed: ${reason}`)
}

/** Removes what a failed form created; a store without `remove` keeps them. */
async function removeAll(ctx: MethodContext, ids: readonly string[]): Promise<void> {
  const { remove } = ctx.store
  if (remove === undefined) return
  for (const id of ids) {
    await remove.call(ctx.store, id).catch((err: unknown) => log('removing %s failed: %O', id, err))
  }
}

function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)
}
