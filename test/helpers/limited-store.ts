import type { FileStore } from '../../src/index.js'
import type { UploadStore } from '../../src/store.js'

/** `files` without the termination capability and without `remove`: no DELETE route. */
export function withoutTermination(files: FileStore): UploadStore {
  return {
    capabilities: new Set([...files.capabilities].filter((c) => c !== 'termination')),
    create: (init) => files.create(init),
    get: (id) => files.get(id),
    append: (id, offset, body, opts) => files.append(id, offset, body, opts),
    declareLength: (id, size) => files.declareLength(id, size),
    read: (id, range) => files.read(id, range),
  }
}
