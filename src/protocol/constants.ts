/** The tus protocol version this server speaks. */
export const TUS_VERSION = '1.0.0'

/** Versions accepted in `Tus-Resumable`, in order of preference (sent as `Tus-Version`). */
export const SUPPORTED_VERSIONS: readonly string[] = [TUS_VERSION]

/** Content-Type every PATCH body must carry. */
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream'

/** Methods that may be overridden through `X-HTTP-Method-Override`. */
export const OVERRIDABLE_METHODS: ReadonlySet<string> = new Set([
  'PATCH',
  'DELETE',
  'HEAD',
  'POST',
  'OPTIONS',
  'GET',
])
