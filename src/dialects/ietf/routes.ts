import type { RouteEntry, RouteTable } from '../route-table.js'
import type { MethodContext } from '../../context/request.js'
import { DOWNLOAD, TERMINATION } from '../tus/routes.js'
import { hasCompleteField } from './fields.js'
import { handleDraftHead } from './head.js'
import { draftVersion } from './interop.js'
import { handleDraftOptions } from './options.js'
import { handleDraftAppend } from './patch.js'
import { handleDraftCreation } from './post.js'

const VERSION = 'Upload-Draft-Interop-Version'
/** Interop 3 says `Upload-Incomplete`, later versions `Upload-Complete`. */
const COMPLETE = ['Upload-Complete', 'Upload-Incomplete']

/**
 * Creation, by any of its methods; the file's name and type come from `Content-Disposition`
 * and `Content-Type`.
 */
function creation(accepts?: (ctx: MethodContext) => boolean): RouteEntry<MethodContext> {
  return {
    handle: handleDraftCreation,
    ...(accepts && { accepts }),
    headers: [
      VERSION,
      ...COMPLETE,
      'Upload-Length',
      'Upload-Metadata',
      'Content-Type',
      'Content-Disposition',
    ],
  }
}

/** A PUT or PATCH to the creation URL creates only when it names the completeness field. */
function namesCompleteness(ctx: MethodContext): boolean {
  return hasCompleteField(ctx.req.headers, draftVersion(ctx))
}

/**
 * The IETF resumable-uploads draft: creation is a POST, or a PUT or PATCH with
 * `Upload-Complete`, to the creation URL; an upload answers HEAD and PATCH (append) of its
 * own, and the tus 1.0 DELETE and GET, on the same conditions. No `Tus-Resumable` anywhere.
 */
export const DRAFT_ROUTES: RouteTable = {
  options: { handle: handleDraftOptions, headers: [VERSION] },
  collection: {
    POST: [creation()],
    PUT: [creation(namesCompleteness)],
    PATCH: [creation(namesCompleteness)],
  },
  upload: {
    HEAD: [{ handle: handleDraftHead, headers: [VERSION] }],
    PATCH: [
      {
        handle: handleDraftAppend,
        headers: [VERSION, 'Upload-Offset', ...COMPLETE, 'Upload-Length', 'Content-Type'],
      },
    ],
    DELETE: [{ ...TERMINATION, headers: [VERSION] }],
    GET: [{ ...DOWNLOAD, headers: [VERSION, ...DOWNLOAD.headers] }],
  },
}
