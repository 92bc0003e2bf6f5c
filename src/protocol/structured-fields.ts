/**
 * Structured Field Values for HTTP (RFC 9651, which obsoletes RFC 8941), as far as the IETF
 * resumable-upload draft needs them: Items (Integer, Decimal, String, Token, Byte Sequence,
 * Boolean, Date, Display String, with parameters) and Dictionaries (with Inner Lists), parsed
 * strictly, plus serialisation of Integers, Booleans and Dictionaries. Pure; no I/O.
 *
 * Parsing is total: any input that is not a valid field of the asked type yields `undefined`,
 * which the RFC says means "ignore the whole field" (callers decide what that means for them).
 * test/fuzz/structured-fields-equivalence.test.ts holds it to the HTTP WG's test suite and to
 * the `structured-headers` package.
 */

/**
 * A bare item. Tokens, Byte Sequences, Dates (seconds since the epoch) and Display Strings are
 * wrapped to tell them apart from Strings and numbers.
 */
export type BareItem =
  | number
  | string
  | boolean
  | { readonly token: string }
  | { readonly bytes: Buffer }
  | { readonly date: number }
  | { readonly display: string }

/**
 * Parameters of an item or inner list, in order of first appearance; a repeated key keeps its
 * place and takes the later value (RFC 9651 4.2.3.2 overwrites in place).
 */
export type Parameters = ReadonlyMap<string, BareItem>

/** An Item: a bare item with parameters. `integer` tells an Integer from a Decimal. */
export interface Item {
  readonly value: BareItem
  readonly params: Parameters
  /** Whether `value` was an Integer (as opposed to a Decimal) when it is a number. */
  readonly integer?: boolean
}

export interface InnerList {
  readonly items: readonly Item[]
  readonly params: Parameters
}

/** A Dictionary: keys in order of first appearance; a repeated key takes the last value. */
export type Dictionary = ReadonlyMap<string, Item | InnerList>

/** The largest magnitude of an RFC 9651 Integer. */
export const MAX_INTEGER = 999_999_999_999_999

class Parser {
  pos = 0
  constructor(readonly s: string) {}

  peek(): string {
    return this.s[this.pos] ?? ''
  }
  eof(): boolean {
    return this.pos >= this.s.length
  }
  skipSP(): void {
    while (this.s[this.pos] === ' ') this.pos++
  }
  skipOWS(): void {
    while (this.s[this.pos] === ' ' || this.s[this.pos] === '\t') this.pos++
  }

  item(): Item | undefined {
    const bare = this.bareItem()
    if (bare === undefined) return undefined
    const params = this.parameters()
    if (params === undefined) return undefined
    return typeof bare.value === 'number'
      ? { value: bare.value, params, integer: bare.integer === true }
      : { value: bare.value, params }
  }

  bareItem(): { value: BareItem; integer?: boolean } | undefined {
    const c = this.peek()
    if (c === '-' || isDigit(c)) return this.number()
    if (c === '"') return wrap(this.string())
    if (c === '*' || isAlpha(c)) return wrap(this.token())
    if (c === ':') return wrap(this.byteSequence())
    if (c === '?') return wrap(this.boolean())
    if (c === '@') return wrap(this.date())
    if (c === '%') return wrap(this.displayString())
    return undefined
  }

  number(): { value: number; integer: boolean } | undefined {
    let sign = 1
    if (this.peek() === '-') {
      sign = -1
      this.pos++
    }
    if (!isDigit(this.peek())) return undefined
    const start = this.pos
    let integer = true
    while (!this.eof()) {
      const c = this.peek()
      if (isDigit(c)) this.pos++
      else if (integer && c === '.') {
        if (this.pos - start > 12) return undefined
        integer = false
        this.pos++
      } else break
      const len = this.pos - start
      if (integer && len > 15) return undefined
      if (!integer && len > 16) return undefined
    }
    const text = this.s.slice(start, this.pos)
    if (integer) {
      const n = sign * Number(text)
      return Math.abs(n) > MAX_INTEGER ? undefined : { value: n, integer: true }
    }
    if (text.endsWith('.')) return undefined
    const frac = text.length - text.indexOf('.') - 1
    if (frac > 3) return undefined
    return { value: sign * Number(text), integer: false }
  }

  string(): string | undefined {
    this.pos++ // opening quote
    let out = ''
    while (!this.eof()) {
      const c = this.s[this.pos++]!
      if (c === '\\') {
        const next = this.s[this.pos++]
        if (next !== '"' && next !== '\\') return undefined
        out += next
      } else if (c === '"') return out
      else {
        const code = c.charCodeAt(0)
        if (code < 0x20 || code > 0x7e) return undefined
        out += c
      }
    }
    return undefined
  }

  token(): { token: string } {
    const start = this.pos
    this.pos++
    while (!this.eof() && isTokenChar(this.peek())) this.pos++
    return { token: this.s.slice(start, this.pos) }
  }

  byteSequence(): { bytes: Buffer } | undefined {
    this.pos++
    const end = this.s.indexOf(':', this.pos)
    if (end === -1) return undefined
    let b64 = this.s.slice(this.pos, end)
    this.pos = end + 1
    // Padding may be left out (the RFC asks parsers to accept that), but what is there must
    // decode: Buffer.from would silently drop a stray last character, so `:z:` is refused here.
    if (b64.length % 4 === 0) b64 = b64.replace(/={1,2}$/, '')
    if (b64.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/.test(b64)) return undefined
    return { bytes: Buffer.from(b64, 'base64') }
  }

  date(): { date: number } | undefined {
    this.pos++ // @
    const n = this.number()
    return n?.integer === true ? { date: n.value } : undefined
  }

  displayString(): { display: string } | undefined {
    if (this.s[this.pos + 1] !== '"') return undefined
    this.pos += 2
    const bytes: number[] = []
    while (!this.eof()) {
      const c = this.s[this.pos++]!
      const code = c.charCodeAt(0)
      if (code < 0x20 || code > 0x7e) return undefined
      if (c === '%') {
        const hex = this.s.slice(this.pos, this.pos + 2)
        if (!/^[0-9a-f]{2}$/.test(hex)) return undefined
        this.pos += 2
        bytes.push(parseInt(hex, 16))
      } else if (c === '"') {
        try {
          // ignoreBOM: a leading U+FEFF is content, as plain UTF-8 decoding keeps it.
          return {
            display: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
              new Uint8Array(bytes),
            ),
          }
        } catch {
          return undefined
        }
      } else bytes.push(code)
    }
    return undefined
  }

  boolean(): boolean | undefined {
    this.pos++
    const c = this.s[this.pos++]
    if (c === '1') return true
    if (c === '0') return false
    return undefined
  }

  key(): string | undefined {
    const c = this.peek()
    if (!(isLcAlpha(c) || c === '*')) return undefined
    const start = this.pos
    while (!this.eof() && isKeyChar(this.peek())) this.pos++
    return this.s.slice(start, this.pos)
  }

  parameters(): Map<string, BareItem> | undefined {
    const params = new Map<string, BareItem>()
    while (this.peek() === ';') {
      this.pos++
      this.skipSP()
      const key = this.key()
      if (key === undefined) return undefined
      let value: BareItem = true
      if (this.peek() === '=') {
        this.pos++
        const bare = this.bareItem()
        if (bare === undefined) return undefined
        value = bare.value
      }
      params.set(key, value)
    }
    return params
  }

  innerList(): InnerList | undefined {
    this.pos++ // (
    const items: Item[] = []
    while (!this.eof()) {
      this.skipSP()
      if (this.peek() === ')') {
        this.pos++
        const params = this.parameters()
        return params === undefined ? undefined : { items, params }
      }
      const item = this.item()
      if (item === undefined) return undefined
      items.push(item)
      const c = this.peek()
      if (c !== ' ' && c !== ')') return undefined
    }
    return undefined
  }

  itemOrInnerList(): Item | InnerList | undefined {
    return this.peek() === '(' ? this.innerList() : this.item()
  }

  dictionary(): Map<string, Item | InnerList> | undefined {
    const dict = new Map<string, Item | InnerList>()
    while (!this.eof()) {
      const key = this.key()
      if (key === undefined) return undefined
      let member: Item | InnerList | undefined
      if (this.peek() === '=') {
        this.pos++
        member = this.itemOrInnerList()
      } else {
        const params = this.parameters()
        member = params === undefined ? undefined : { value: true, params }
      }
      if (member === undefined) return undefined
      dict.set(key, member)
      this.skipOWS()
      if (this.eof()) return dict
      if (this.s[this.pos++] !== ',') return undefined
      this.skipOWS()
      if (this.eof()) return undefined // trailing comma
    }
    return dict
  }
}

function wrap<T extends BareItem>(value: T | undefined): { value: BareItem } | undefined {
  return value === undefined ? undefined : { value }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9' && c.length === 1
}
function isLcAlpha(c: string): boolean {
  return c >= 'a' && c <= 'z' && c.length === 1
}
function isAlpha(c: string): boolean {
  return c.length === 1 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
}
function isKeyChar(c: string): boolean {
  return isLcAlpha(c) || isDigit(c) || c === '_' || c === '-' || c === '.' || c === '*'
}
// tchar plus ':' and '/'.
function isTokenChar(c: string): boolean {
  return c.length === 1 && /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(c)
}

/** A header value as Node gives it; a repeated header (array) is joined as RFC 9651 says. */
export type FieldValue = string | readonly string[] | undefined

function combine(value: FieldValue): string | undefined {
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(', ')
}

function parseField<T>(value: FieldValue, parse: (p: Parser) => T | undefined): T | undefined {
  const text = combine(value)
  if (text === undefined) return undefined
  // RFC 9651 4.2: fields are ASCII; leading and trailing spaces are discarded.
  if (!/^[\x20-\x7e\t]*$/.test(text)) return undefined
  const p = new Parser(text.replace(/^ +| +$/g, ''))
  const result = parse(p)
  if (result === undefined || !p.eof()) return undefined
  return result
}

/** Parses an Item field; `undefined` when absent or invalid. */
export function parseItem(value: FieldValue): Item | undefined {
  return parseField(value, (p) => (p.eof() ? undefined : p.item()))
}

/** Parses a Dictionary field; `undefined` when absent or invalid (an empty field is empty). */
export function parseDictionary(value: FieldValue): Dictionary | undefined {
  return parseField(value, (p) => p.dictionary())
}

/** An Integer Item ≥ 0 (parameters ignored); `undefined` when absent or anything else. */
export function parseNonNegativeInteger(value: FieldValue): number | undefined {
  const item = parseItem(value)
  if (item === undefined || item.integer !== true) return undefined
  const n = item.value as number
  return n >= 0 ? n : undefined
}

/**
 * Whether `value`, not a valid Integer Item itself, would be a non-negative one but for having
 * more than the 15 digits RFC 9651 allows: a number too large to carry rather than a
 * malformed field, which callers answer differently.
 */
export function isOverlongInteger(value: FieldValue): boolean {
  const text = combine(value)
  if (text === undefined) return false
  const match = /^( *)(\d{16,})(.*)$/s.exec(text)
  if (match === null) return false
  return parseNonNegativeInteger(`${match[1]}0${match[3]}`) !== undefined
}

/** A Boolean Item (parameters ignored); `undefined` when absent or anything else. */
export function parseBoolean(value: FieldValue): boolean | undefined {
  const item = parseItem(value)
  return typeof item?.value === 'boolean' ? item.value : undefined
}

/** Serialises a Boolean Item: `?1` or `?0`. */
export function serializeBoolean(value: boolean): string {
  return value ? '?1' : '?0'
}

/** Serialises an Integer Item; throws for values RFC 9651 cannot carry. */
export function serializeInteger(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER) {
    throw new RangeError(`not a structured-field Integer: ${value}`)
  }
  return String(value)
}

/** Serialises a Dictionary of Integer and Boolean members (no parameters): `a=1, b, c=?0`. */
export function serializeDictionary(members: ReadonlyArray<readonly [string, number | boolean]>) {
  return members
    .map(([key, value]) => {
      if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key)) throw new RangeError(`not a dictionary key: ${key}`)
      if (value === true) return key
      return `${key}=${typeof value === 'boolean' ? serializeBoolean(value) : serializeInteger(value)}`
    })
    .join(', ')
}
