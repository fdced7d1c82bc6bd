import { FormLimitError, FormLimits, checkFormLimits } from './form-limits';
import { printable } from './printable';

/**
 * Order-preserving parser for an application/x-www-form-urlencoded body, working on the raw bytes.
 *
 * 2Checkout signs the values in the order it sent them, so the signature can only be rebuilt from the
 * bytes on the wire: Express's parsed object loses the order and rewrites `NAME[]` keys. PHP semantics
 * (the platform's own reference) are followed where the format is loose:
 * - `NAME[]=a&NAME[]=b` (or `NAME[0]=a`) is one array field `NAME`, standing where its first item stood;
 * - a repeated plain `NAME=` keeps its first position and its last value;
 * - empty segments (`a=1&&b=2`) are skipped; a malformed `%` escape is kept literally.
 * One thing PHP would read differently from us is refused: `NAME` and `NAME[]` in one body.
 */
export interface FormField {
  readonly name: string;
  readonly isArray: boolean;
  /** Values exactly as sent, decoded from the form encoding to bytes (never re-encoded or trimmed). */
  readonly values: Buffer[];
}

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;
const ASCII_END = 0x80;
const OPEN_BRACKET = 0x5b;
const NOT_SEARCHED = -2;

export class FormBody {
  private readonly byName: Map<string, FormField>;

  constructor(
    readonly fields: readonly FormField[],
    byName?: Map<string, FormField>,
  ) {
    this.byName = byName ?? new Map(fields.map((field) => [field.name, field]));
  }

  /**
   * Parses `body`. Bytes from the network must come with `limits`: they are checked by one cheap scan
   * before anything is built (FormLimitError). Bodies already verified and stored are parsed without.
   */
  static parse(body: Buffer, limits?: FormLimits): FormBody {
    if (limits) checkFormLimits(body, limits);
    return new FormParser(body).parse();
  }

  /** Builds a form from `[name, value]` pairs, a list value standing for an array field. */
  static fromPairs(pairs: ReadonlyArray<readonly [string, string | readonly string[]]>): FormBody {
    return new FormBody(
      pairs.map(([name, value]) => ({
        name,
        isArray: typeof value !== 'string',
        values: (typeof value === 'string' ? [value] : value).map((item) => Buffer.from(item, 'utf8')),
      })),
    );
  }

  /** The form with `extra` fields appended at the end (2Checkout puts the signatures last). */
  with(extra: ReadonlyArray<readonly [string, string]>): FormBody {
    return new FormBody([...this.fields, ...FormBody.fromPairs(extra).fields]);
  }

  /** application/x-www-form-urlencoded, arrays as repeated `NAME[]` keys. */
  encode(): string {
    const pairs: string[] = [];
    for (const field of this.fields) {
      const name = encodeComponent(field.isArray ? `${field.name}[]` : field.name);
      for (const value of field.values) pairs.push(`${name}=${encodeComponent(value.toString('utf8'))}`);
    }
    return pairs.join('&');
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The value of a plain field, or the first item of an array field. */
  first(name: string): string | undefined {
    return this.firstBytes(name)?.toString('utf8');
  }

  firstBytes(name: string): Buffer | undefined {
    return this.byName.get(name)?.values[0];
  }

  list(name: string): string[] {
    return (this.byName.get(name)?.values ?? []).map((value) => value.toString('utf8'));
  }

  /** Plain JSON view: arrays as string lists, plain fields as strings. */
  toRecord(): Record<string, string | string[]> {
    const record: Record<string, string | string[]> = {};
    for (const field of this.fields) {
      const values = field.values.map((value) => value.toString('utf8'));
      record[field.name] = field.isArray ? values : values[0];
    }
    return record;
  }
}

/**
 * One pass over the body, with as few copies as the format allows (this runs on every request): a value
 * without escapes is a view of the raw body; escaped values are decoded into one buffer shared by the
 * whole body. Finding `%` and `+` uses native searches whose results are remembered, so the bytes are
 * searched once in all however many fields there are.
 */
class FormParser {
  private readonly fields: FormField[] = [];
  private readonly byName = new Map<string, FormField>();
  private decoded: Buffer | undefined;
  private decodedLength = 0;
  // Where the next `%` and `+` at or after the current pair are: NOT_SEARCHED yet, or -1 for none left.
  private nextPercent = NOT_SEARCHED;
  private nextPlus = NOT_SEARCHED;
  private nameIsArray = false;

  constructor(private readonly body: Buffer) {}

  parse(): FormBody {
    const { body } = this;
    let start = 0;
    while (start < body.length) {
      let end = body.indexOf(AMPERSAND, start);
      if (end === -1) end = body.length;
      if (end > start) this.addPair(start, end);
      start = end + 1;
    }
    return new FormBody(this.fields, this.byName);
  }

  private addPair(start: number, end: number): void {
    const { body } = this;
    let separator = start;
    while (separator < end && body[separator] !== EQUALS) separator++;
    const name = this.readName(start, separator);
    const isArray = this.nameIsArray;
    const value = separator === end ? EMPTY : this.value(separator + 1, end);

    const existing = this.byName.get(name);
    if (!existing) {
      const field = { name, isArray, values: [value] };
      this.byName.set(name, field);
      this.fields.push(field);
    } else if (existing.isArray !== isArray) {
      const shown = printable(name, 64);
      throw new FormLimitError(
        'mixed_field_forms',
        shown,
        `both ${shown} and ${shown}[] are sent; 2Checkout never mixes them, and PHP would read them differently`,
      );
    } else if (isArray) {
      existing.values.push(value);
    } else {
      existing.values[0] = value;
    }
  }

  /**
   * The field name of body[start, end), decoded, without its `[...]` when it names an array item
   * (`NAME[]`, `NAME[0]`), which `nameIsArray` then tells. Plain ASCII names are read without decoding.
   */
  private readName(start: number, end: number): string {
    const { body } = this;
    let escape = -1;
    let bracket = -1;
    for (let i = start; i < end && escape === -1; i++) {
      const byte = body[i];
      if (byte === PERCENT || byte === PLUS || byte >= ASCII_END) escape = i;
      else if (byte === OPEN_BRACKET && bracket === -1) bracket = i;
    }
    // 2Checkout's array names (`IPN_PID%5B%5D`): only the brackets are encoded.
    this.nameIsArray = escape > start && bracket === -1 && escape === end - ENCODED_BRACKETS_LENGTH && isEncodedBrackets(body, escape);
    if (this.nameIsArray) return body.toString('latin1', start, escape);
    const raw = escape === -1 ? body.toString('latin1', start, end) : this.decode(start, end).toString('utf8');
    const at = raw.indexOf('[');
    this.nameIsArray = at > 0 && raw.endsWith(']');
    return this.nameIsArray ? raw.slice(0, at) : raw;
  }

  private value(start: number, end: number): Buffer {
    if (this.nextPercent !== -1 && this.nextPercent < start) this.nextPercent = this.body.indexOf(PERCENT, start);
    if (this.nextPlus !== -1 && this.nextPlus < start) this.nextPlus = this.body.indexOf(PLUS, start);
    const escaped = (this.nextPercent !== -1 && this.nextPercent < end) || (this.nextPlus !== -1 && this.nextPlus < end);
    return escaped ? this.decode(start, end) : this.body.subarray(start, end);
  }

  /** Decodes `+` and `%XX` of body[start, end) into the shared buffer; returns a view of the result. */
  private decode(start: number, end: number): Buffer {
    this.decoded ??= Buffer.allocUnsafe(this.body.length);
    const from = this.decodedLength;
    this.decodedLength = decodeInto(this.body, start, end, this.decoded, from);
    return this.decoded.subarray(from, this.decodedLength);
  }
}

const EMPTY = Buffer.alloc(0);
const ENCODED_BRACKETS_LENGTH = '%5B%5D'.length;

/** `%5B%5D` (any letter case) at body[at]. */
function isEncodedBrackets(body: Buffer, at: number): boolean {
  return (
    body[at] === PERCENT &&
    body[at + 1] === 0x35 &&
    (body[at + 2] | 0x20) === 0x62 &&
    body[at + 3] === PERCENT &&
    body[at + 4] === 0x35 &&
    (body[at + 5] | 0x20) === 0x64
  );
}

function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

/** Decodes `+` and `%XX` to bytes; anything else is copied as is. */
export function decodeComponent(encoded: Buffer): Buffer {
  const out = Buffer.allocUnsafe(encoded.length);
  return out.subarray(0, decodeInto(encoded, 0, encoded.length, out, 0));
}

/** Writes the decoding of source[start, end) at out[at]; returns the end of what it wrote. */
function decodeInto(source: Buffer, start: number, end: number, out: Buffer, at: number): number {
  for (let i = start; i < end; i++) {
    const byte = source[i];
    if (byte === PLUS) {
      out[at++] = SPACE;
    } else if (byte === PERCENT && i + 2 < end && isHex(source[i + 1]) && isHex(source[i + 2])) {
      out[at++] = (hexValue(source[i + 1]) << 4) | hexValue(source[i + 2]);
      i += 2;
    } else {
      out[at++] = byte;
    }
  }
  return at;
}

function isHex(byte: number): boolean {
  return hexValue(byte) !== -1;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
