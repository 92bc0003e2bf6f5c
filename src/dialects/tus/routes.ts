import type { RouteEntry, RouteSettings, RouteTable } from '../route-table.js'
import type { UploadContext } from '../../context/request.js'
import { handleDelete } from './delete.js'
import { handleGet } from './get.js'
import { handleHead } from './head.js'
import { handleMultipart, isFormUpload } from './multipart.js'
import { handleOptions } from './options.js'
import { handlePatch } from './patch.js'
import { handlePost } from './post.js'

/** DELETE: with the termination extension and a store that can remove uploads. */
export const TERMINATION: RouteEntry<UploadContext> = {
  handle: handleDelete,
  enabled: ({ extensions, store }: RouteSettings) =>
    extensions.includes('termination') && store.remove !== undefined,
  headers: ['Tus-Resumable'],
}

/**
 * GET (a download, not part of tus 1.0): with `download` on and a store that can read. Plain
 * HTTP, a browser link, so it needs no `Tus-Resumable`.
 */
export const DOWNLOAD: RouteEntry<UploadContext> = {
  handle: handleGet,
  enabled: ({ options, store }: RouteSettings) =>
    options.download && store.capabilities.has('read') && store.read !== undefined,
  plain: true,
  headers: ['Range', 'If-Range'],
}

/**
 * tus 1.0: the methods of the creation URL and of one upload, and when each is on. Every
 * request but OPTIONS, downloads and form uploads needs `Tus-Resumable`.
 */
export const TUS_ROUTES: RouteTable = {
  options: { handle: handleOptions, plain: true, headers: ['Tus-Resumable'] },
  collection: {
    POST: [
      {
        // A classic form upload: browsers' forms cannot send Tus-Resumable.
        handle: handleMultipart,
        enabled: ({ options }) => options.multipart !== undefined,
        accepts: isFormUpload,
        plain: true,
        headers: ['Content-Type'],
      },
      {
        handle: handlePost,
        headers: [
          'Tus-Resumable',
          'Upload-Length',
          'Upload-Defer-Length',
          'Upload-Metadata',
          'Upload-Concat',
          'Upload-Checksum',
          'Content-Type',
        ],
      },
    ],
  },
  upload: {
    HEAD: [{ handle: handleHead, headers: ['Tus-Resumable'] }],
    PATCH: [
      {
        handle: handlePatch,
        headers: [
          'Tus-Resumable',
          'Upload-Offset',
          'Upload-Length',
          'Upload-Checksum',
          'Content-Type',
        ],
      },
    ],
    DELETE: [TERMINATION],
    GET: [DOWNLOAD],
  },
}
