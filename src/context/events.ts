import { EventEmitter } from 'node:events'
import type { Upload } from '../model/upload.js'

/** Events for observers; listeners cannot change the response (use hooks for that). */
export interface TusEventMap {
  /** An upload was created. */
  created: [upload: Upload]
  /** Bytes were stored by a PATCH or a creation-with-upload POST. */
  progress: [upload: Upload]
  /** An upload has all its bytes (emitted once, after `onUploadFinish`). */
  finished: [upload: Upload]
  /** An upload was deleted by a client (termination). */
  terminated: [id: string]
  /** Unfinished uploads were removed for inactivity (`count` of them). */
  expired: [count: number]
}

/** The handler's typed event emitter. */
export type TusEvents = EventEmitter<TusEventMap>

export function createEvents(): TusEvents {
  return new EventEmitter<TusEventMap>()
}
