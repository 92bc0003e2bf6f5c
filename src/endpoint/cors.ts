import type { HeaderValue } from '../protocol/headers.js'
import type { TusResponse } from '../context/request.js'
import type { ResolvedCors } from '../context/cors-options.js'
import { uniqueNames } from '../dialects/route-table.js'

/**
 * Request headers allowed whatever the routes: the method override the endpoint reads, and
 * what browser apps commonly send for the app's own hooks and logs.
 */
const ENDPOINT_REQUEST_HEADERS = [
  'Authorization',
  'Origin',
  'X-Requested-With',
  'X-Request-ID',
  'X-HTTP-Method-Override',
]

type CorsRequest = {
  readonly method: string
  readonly headers: Readonly<Record<string, HeaderValue>>
}

/** Adds the CORS headers to one response of the endpoint (see {@link applyCors}). */
export type Cors = (req: CorsRequest, response: TusResponse) => Promise<TusResponse>

/**
 * The CORS of an endpoint whose routes take `methods` and read `requestHeaders` (both derived
 * from its route tables): the preflight's allowed methods and headers, joined once here.
 */
export function createCors(
  cors: ResolvedCors,
  methods: readonly string[],
  requestHeaders: readonly string[],
): Cors {
  const preflight: Preflight = {
    methods: methods.join(', '),
    headers: uniqueNames([
      ...ENDPOINT_REQUEST_HEADERS,
      ...requestHeaders,
      ...cors.allowHeaders,
    ]).join(', '),
  }
  return (req, response) => applyCors(cors, preflight, req, response)
}

/** `Access-Control-Allow-Methods` and `-Headers` of a preflight answer. */
interface Preflight {
  readonly methods: string
  readonly headers: string
}

function single(value: HeaderValue): string | undefined {
  return typeof value === 'string' ? value : undefined
}

async function isAllowed(cors: ResolvedCors, origin: string): Promise<boolean> {
  const { origins } = cors
  if (origins === '*') return true
  if (typeof origins !== 'function') return origins.has(origin.toLowerCase())
  try {
    return (await origins(origin)) === true
  } catch {
    return false // a failing check allows nothing
  }
}

/**
 * Adds the CORS headers to a response of the endpoint (errors included). The request is
 * processed the same whatever its origin: a browser enforces the answer. With `origins: '*'`
 * and no credentials every response to a request with an `Origin`, and every GET answer,
 * carries `Access-Control-Allow-Origin: *`; otherwise an allowed origin is echoed and every
 * response says `Vary: Origin`. A disallowed origin gets no CORS headers, so the browser
 * refuses the preflight or hides the response. A preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) also gets the allowed methods and headers (every method and
 * request header of the enabled routes) and `Access-Control-Max-Age`; it is otherwise the tus
 * `OPTIONS` answer (204).
 */
async function applyCors(
  cors: ResolvedCors,
  preflight: Preflight,
  req: CorsRequest,
  response: TusResponse,
): Promise<TusResponse> {
  const wildcard = cors.origins === '*' && !cors.credentials
  const origin = single(req.headers['origin'])
  // Without Origin this is no CORS request (curl, servers, same-origin reads), and no cache
  // keeps an answer to anything but GET: the headers would only cost bytes and parsing
  // (about 8 % of a HEAD's CPU). GET answers keep them, as a cache may hand them to a browser.
  if (wildcard && origin === undefined && req.method !== 'GET') return response
  const headers = { ...response.headers }
  if (!wildcard) headers['Vary'] = headers['Vary'] ? `${headers['Vary']}, Origin` : 'Origin'
  const allowed = wildcard || (origin !== undefined && (await isAllowed(cors, origin)))
  if (allowed) {
    headers['Access-Control-Allow-Origin'] = wildcard ? '*' : (origin ?? '')
    if (cors.credentials) headers['Access-Control-Allow-Credentials'] = 'true'
    headers['Access-Control-Expose-Headers'] = cors.exposeHeaders
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      headers['Access-Control-Allow-Methods'] = preflight.methods
      headers['Access-Control-Allow-Headers'] = preflight.headers
      headers['Access-Control-Max-Age'] = String(cors.maxAge)
    }
  }
  return { ...response, headers }
}
