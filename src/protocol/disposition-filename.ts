/**
 * Reads the file name from a `Content-Disposition` request header (RFC 6266), as a draft
 * creation request names its file: `attachment; filename="a.txt"; filename*=UTF-8''%C3%A4.txt`.
 * `filename*` (RFC 8187, UTF-8 or ISO-8859-1) wins over `filename`. Pure and total: anything
 * malformed yields `undefined` (no name), never an error. The name is stored as given; GET
 * sanitises it when it serves a download.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

export function dispositionFilename(
  value: string | readonly string[] | undefined,
): string | undefined {
  if (typeof value !== 'string') return undefined
  const params = parseParams(value)
  if (params === undefined) return undefined
  const extended = params.get('filename*')
  if (extended !== undefined) {
    const decoded = decodeExtValue(extended)
    if (decoded !== undefined && decoded !== '') return decoded
  }
  const plain = params.get('filename')
  return plain === undefined || plain === '' ? undefined : plain
}

/** `type *( ";" name "=" (token / quoted-string) )`, names lower-cased; first one wins. */
function parseParams(value: string): Map<string, string> | undefined {
  let pos = 0
  const s = value
  const ws = (): void => {
    while (s[pos] === ' ' || s[pos] === '\t') pos++
  }
  const token = (): string | undefined => {
    const start = pos
    while (pos < s.length && TOKEN.test(s[pos]!)) pos++
    return pos > start ? s.slice(start, pos) : undefined
  }
  ws()
  if (token() === undefined) return undefined
  const params = new Map<string, string>()
  for (;;) {
    ws()
    if (pos >= s.length) return params
    if (s[pos] !== ';') return undefined
    pos++
    ws()
    if (pos >= s.length) return params // a trailing ';' is tolerated
    const name = token()?.toLowerCase()
    if (name === undefined) return undefined
    ws()
    if (s[pos] !== '=') return undefined
    pos++
    ws()
    let val: string | undefined
    if (s[pos] === '"') {
      pos++
      val = ''
      for (;;) {
        if (pos >= s.length) return undefined
        const c = s[pos++]!
        if (c === '"') break
        if (c === '\\') {
          if (pos >= s.length) return undefined
          val += s[pos++]
        } else val += c
      }
    } else {
      val = token()
      if (val === undefined) return undefined
    }
    if (!params.has(name)) params.set(name, val)
  }
}

/** RFC 8187 `charset'[language]'value-chars`; `undefined` when malformed. */
function decodeExtValue(value: string): string | undefined {
  const match =
    /^([A-Za-z0-9!#$&+\-^_`{}~]+)'[A-Za-z0-9-]*'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*)$/.exec(
      value,
    )
  if (match === null) return undefined
  const charset = match[1]!.toLowerCase()
  const bytes = Buffer.from(
    match[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    ),
    'latin1',
  )
  if (charset === 'utf-8') {
    const text = new TextDecoder('utf-8', { fatal: true })
    try {
      return text.decode(bytes)
    } catch {
      return undefined
    }
  }
  if (charset === 'iso-8859-1') return bytes.toString('latin1')
  return undefined
}
