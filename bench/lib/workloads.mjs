// The workloads, full and quick. Sizes are in bytes.
const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** Full mode: the sizes behind results/latest.md and docs/benchmark.md. */
export const FULL = [
  {
    name: 'single',
    title: '1 GiB in one PATCH',
    kind: 'upload',
    uploads: 1,
    concurrency: 1,
    size: GiB,
    chunk: GiB,
  },
  {
    name: 'chunks8m',
    title: '1 GiB in 8 MiB PATCHes',
    kind: 'upload',
    uploads: 1,
    concurrency: 1,
    size: GiB,
    chunk: 8 * MiB,
  },
  {
    name: 'chunks256k',
    title: '64 MiB in 256 KiB PATCHes',
    kind: 'upload',
    uploads: 1,
    concurrency: 1,
    size: 64 * MiB,
    chunk: 256 * KiB,
  },
  {
    name: 'concurrent',
    title: '64 concurrent uploads of 16 MiB (one PATCH each)',
    kind: 'upload',
    uploads: 64,
    concurrency: 64,
    size: 16 * MiB,
    chunk: 16 * MiB,
  },
  {
    name: 'create-head',
    title: '2,000 POSTs, then 10,000 HEADs, at concurrency 32',
    kind: 'create-head',
    creations: 2000,
    heads: 10000,
    concurrency: 32,
    length: 1024,
  },
]

/** Quick mode: the same shapes, smaller. */
export const QUICK = FULL.map((w) => {
  switch (w.name) {
    case 'single':
      return { ...w, title: '256 MiB in one PATCH', size: 256 * MiB, chunk: 256 * MiB }
    case 'chunks8m':
      return { ...w, title: '256 MiB in 8 MiB PATCHes', size: 256 * MiB }
    case 'chunks256k':
      return { ...w, title: '16 MiB in 256 KiB PATCHes', size: 16 * MiB }
    case 'concurrent':
      return {
        ...w,
        title: '64 concurrent uploads of 2 MiB (one PATCH each)',
        size: 2 * MiB,
        chunk: 2 * MiB,
      }
    case 'create-head':
      return {
        ...w,
        title: '500 POSTs, then 2,000 HEADs, at concurrency 32',
        creations: 500,
        heads: 2000,
      }
    default:
      return w
  }
})

/** The servers, in the order each run visits them (A B C … A B C …). */
export const SERVERS = [
  {
    name: 'tuskit',
    label: 'tuskit (FileStore, fsync: true, default)',
    fsync:
      'yes (fdatasync): data before each PATCH is answered; info files and folder (fsyncs shared) on change',
  },
  { name: 'tuskit-nofsync', label: 'tuskit (FileStore, fsync: false)', fsync: 'no' },
  {
    name: 'tus-server',
    label: '@tus/server + @tus/file-store (defaults)',
    fsync: 'no (never calls fsync)',
  },
  { name: 'naive', label: 'naive node:http + pipeline', fsync: 'no' },
  { name: 'sink', label: 'client ceiling (server discards bodies)', fsync: 'n/a (stores nothing)' },
]

/** tuskit as built in another checkout (`--baseline DIR`), to compare two builds in one run. */
export function baselineServer(dir) {
  return {
    name: 'tuskit-baseline',
    label: `tuskit baseline build (${dir}, fsync: true)`,
    fsync: SERVERS[0].fsync,
  }
}
