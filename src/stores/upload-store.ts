import type { Readable } from 'node:stream'
import type { AppendOptions, Capability, Upload, UploadInit } from '../model/upload.js'

/**
 * The seam between the tus protocol and storage, in the spirit of multer's storage engines:
 * a small required core plus optional methods named by `capabilities`. A store never sees
 * HTTP; the handler never touches storage. Stores throw `TusError`s (e.g. 404 for an unknown
 * id) and plain errors for real failures.
 *
 * Run `runStoreContract` from `tuskit/testing` to check a store against this contract.
 */
export interface UploadStore {
  /** Optional abilities this store has; the handler advertises only these. */
  readonly capabilities: ReadonlySet<Capability>

  /** Creates an empty upload. Rejects if the id exists. */
  create(init: UploadInit): Promise<Upload>

  /** Reads an upload's state. Rejects with a 404 `TusError` when unknown. */
  get(id: string): Promise<Upload>

  /**
   * Appends `body` at `offset`, which must equal the stored offset (else 409). Streams: the
   * body is never held whole in memory and backpressure is honoured. Resolves with the state
   * after the write; on abort, client disconnect or a stream error, keeps every byte received
   * and resolves or rejects only once those bytes are stored, so `get` then reports them.
   * Owns durability: what it resolves with is really stored.
   */
  append(id: string, offset: number, body: Readable, options: AppendOptions): Promise<Upload>

  /** Sets the length of a deferred upload (capability `creation-defer-length`). */
  declareLength?(id: string, size: number): Promise<Upload>

  /** Deletes an upload and its bytes (capability `termination`). */
  remove?(id: string): Promise<void>

  /**
   * Fills the final upload `id` (created with `concat: { kind: 'final', ... }`) with the bytes
   * of `parts`, in order (capability `concatenation`). `parts` are the complete partial
   * uploads the final lists, as `get` returned them, repeats included. Streams: never holds
   * a whole part in memory. All or nothing, even across a crash: until it resolves, `get`
   * reports the final with offset 0, never with a half-written body. Resolves with the final,
   * complete, its size the sum of the parts' sizes. The parts are left as they are. Calling
   * it again on a complete final resolves with it unchanged. Rejects with a `TusError` when a
   * part is missing or shorter than its size, and with a 404 for an unknown final.
   */
  concatenate?(id: string, parts: readonly Upload[]): Promise<Upload>

  /** Streams stored bytes, `end` inclusive (capability `read`). */
  read?(id: string, range?: { start: number; end: number }): Promise<Readable>

  /**
   * Removes unfinished uploads whose `updatedAt` is before `before`; resolves with how many
   * (capability `expiration`). The handler decides the period (`expireAfter`).
   */
  deleteExpired?(before: Date): Promise<number>
}
