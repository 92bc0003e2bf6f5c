import type { Headers, Plan, WireResponse } from './wire.js'

/**
 * The dialects tuskit speaks, each described only by what goes over the wire: how to create
 * an upload, append to it, read its offset and read its answers. The lifecycle suite runs
 * every scenario through every row built from them, so the dialects cannot drift apart.
 */
export interface Dialect {
  /** `tus` or `draft-<interop version>`. */
  readonly name: string
  /** The draft's interop version; `undefined` for tus 1.0. */
  readonly version: number | undefined
  /** Creates an empty upload of `length` bytes (no body). */
  create(length: number): Plan
  /** Creates an upload of `length` bytes carrying a body; `complete`: it ends the upload. */
  createWithBody(length: number, complete: boolean): Plan
  /** Appends at `offset`; `complete`: the body ends the upload. */
  append(id: string, offset: number, complete: boolean): Plan
  /** Reads the upload's state. */
  head(id: string): Plan
  readonly headStatus: number
  /** Offset and (draft) completeness a HEAD answer reports. */
  state(res: WireResponse): { offset: number; complete: boolean | undefined }
  /** Whether appends can carry `Upload-Checksum` (tus `checksum`). */
  readonly checksum: boolean
  /** Whether the version defines the draft's problem types (`mismatching-upload-offset`, …). */
  readonly problemTypes: boolean
  /** How a Content-Length longer than what is left of the upload is refused. */
  readonly lengthOverrun: { status: number; code: string; problem?: string }
}

/** One way to send the write a scenario is about: an append, or a creation with a body. */
export interface Row {
  /** `tus PATCH`, `tus creation-with-upload`, `draft-6 append`, `draft-6 creation`. */
  readonly name: string
  readonly dialect: Dialect
  readonly kind: 'append' | 'creation'
}

const PATH = '/files'
const TUS: Headers = [['Tus-Resumable', '1.0.0']]

export const tus: Dialect = {
  name: 'tus',
  version: undefined,
  create: (length) => ({
    method: 'POST',
    path: PATH,
    headers: [...TUS, ['Upload-Length', String(length)]],
  }),
  createWithBody: (length) => ({
    method: 'POST',
    path: PATH,
    headers: [
      ...TUS,
      ['Upload-Length', String(length)],
      ['Content-Type', 'application/offset+octet-stream'],
    ],
  }),
  append: (id, offset) => ({
    method: 'PATCH',
    path: `${PATH}/${id}`,
    headers: [
      ...TUS,
      ['Content-Type', 'application/offset+octet-stream'],
      ['Upload-Offset', String(offset)],
    ],
  }),
  head: (id) => ({ method: 'HEAD', path: `${PATH}/${id}`, headers: TUS }),
  headStatus: 200,
  state: (res) => ({ offset: Number(res.headers['upload-offset']), complete: undefined }),
  checksum: true,
  problemTypes: false,
  lengthOverrun: { status: 413, code: 'ERR_BODY_TOO_LARGE' },
}

/** The draft at one interop version (3 says `Upload-Incomplete`, 6 on need a media type). */
export function draft(version: number): Dialect {
  const versionHeader: Headers = [['Upload-Draft-Interop-Version', String(version)]]
  const completeField = (complete: boolean): Headers =>
    version <= 3
      ? [['Upload-Incomplete', complete ? '?0' : '?1']]
      : [['Upload-Complete', complete ? '?1' : '?0']]
  const appendType = version >= 6 ? 'application/partial-upload' : 'application/offset+octet-stream'
  const creation = (length: number, complete: boolean): Plan => ({
    method: 'POST',
    path: PATH,
    headers: [...versionHeader, ...completeField(complete), ['Upload-Length', String(length)]],
  })
  return {
    name: `draft-${version}`,
    version,
    create: (length) => creation(length, false),
    createWithBody: creation,
    append: (id, offset, complete) => ({
      method: 'PATCH',
      path: `${PATH}/${id}`,
      headers: [
        ...versionHeader,
        ['Content-Type', appendType],
        ['Upload-Offset', String(offset)],
        ...completeField(complete),
      ],
    }),
    head: (id) => ({ method: 'HEAD', path: `${PATH}/${id}`, headers: versionHeader }),
    headStatus: 204,
    state: (res) => {
      const offset = Number(res.headers['upload-offset'])
      if (version <= 3) {
        const incomplete = res.headers['upload-incomplete']
        return { offset, complete: incomplete === undefined ? undefined : incomplete === '?0' }
      }
      const complete = res.headers['upload-complete']
      return { offset, complete: complete === undefined ? undefined : complete === '?1' }
    },
    checksum: false,
    problemTypes: version >= 8,
    lengthOverrun: {
      status: 400,
      code: 'ERR_INCONSISTENT_LENGTH',
      problem: 'inconsistent-upload-length',
    },
  }
}

/** Every interop version of the draft tuskit speaks. */
export const INTEROP_VERSIONS: readonly number[] = [3, 4, 5, 6, 7, 8]

export const ROWS: readonly Row[] = [
  { name: 'tus PATCH', dialect: tus, kind: 'append' },
  { name: 'tus creation-with-upload', dialect: tus, kind: 'creation' },
  ...INTEROP_VERSIONS.flatMap((v): Row[] => [
    { name: `draft-${v} creation`, dialect: draft(v), kind: 'creation' },
    { name: `draft-${v} append`, dialect: draft(v), kind: 'append' },
  ]),
]

/**
 * The stable code of an error answer: the first word of a `CODE: reason` text body, or the
 * `code` member of a problem+json document.
 */
export function codeOf(res: WireResponse): string {
  const text = res.body.toString('utf8')
  if ((res.headers['content-type'] ?? '').startsWith('application/problem+json')) {
    return String((JSON.parse(text) as { code?: unknown }).code)
  }
  return text.split(':')[0]!.trim()
}

/** The problem type of a problem+json answer (its last URI fragment), if it is one. */
export function problemOf(res: WireResponse): string | undefined {
  if (!(res.headers['content-type'] ?? '').startsWith('application/problem+json')) return undefined
  const type = (JSON.parse(res.body.toString('utf8')) as { type?: unknown }).type
  return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined
}

/** The upload id in a `Location` answer, if any. */
export function locationId(res: WireResponse): string | undefined {
  const location = res.headers['location']
  return location === undefined ? undefined : location.slice(location.lastIndexOf('/') + 1)
}
