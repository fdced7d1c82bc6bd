/**
 * Order-preserving parser for an application/x-www-form-urlencoded body, working on the raw bytes.
 *
 * 2Checkout signs the values in the order it sent them, so the signature can only be rebuilt from the
 * bytes on the wire: Express's parsed object loses the order and rewrites `NAME[]` keys. PHP semantics
 * (the platform's own reference) are followed where the format is loose:
 * - `NAME[]=a&NAME[]=b` (or `NAME[0]=a`) is one array field `NAME`, standing where its first item stood;
 * - a repeated plain `NAME=` keeps its first position and its last value;
 * - empty segments (`a=1&&b=2`) are skipped; a malformed `%` escape is kept literally.
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

export class FormBody {
  private readonly byName = new Map<string, FormField>();

  constructor(readonly fields: readonly FormField[]) {
    for (const field of fields) this.byName.set(field.name, field);
  }

  static parse(body: Buffer): FormBody {
    const fields: FormField[] = [];
    const byName = new Map<string, { isArray: boolean; values: Buffer[] }>();
    let start = 0;
    while (start <= body.length) {
      let end = body.indexOf(AMPERSAND, start);
      if (end === -1) end = body.length;
      if (end > start) addPair(body.subarray(start, end), fields, byName);
      start = end + 1;
    }
    return new FormBody(fields);
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

function addPair(
  pair: Buffer,
  fields: FormField[],
  byName: Map<string, { isArray: boolean; values: Buffer[] }>,
): void {
  const separator = pair.indexOf(EQUALS);
  const rawName = decodeComponent(separator === -1 ? pair : pair.subarray(0, separator)).toString('utf8');
  const value = separator === -1 ? Buffer.alloc(0) : decodeComponent(pair.subarray(separator + 1));
  const bracket = rawName.indexOf('[');
  const isArray = bracket > 0 && rawName.endsWith(']');
  const name = isArray ? rawName.slice(0, bracket) : rawName;

  const existing = byName.get(name);
  if (!existing) {
    const field = { name, isArray, values: [value] };
    byName.set(name, field);
    fields.push(field);
  } else if (isArray && existing.isArray) {
    existing.values.push(value);
  } else {
    existing.values.splice(0, existing.values.length, value);
  }
}

function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

/** Decodes `+` and `%XX` to bytes; anything else is copied as is. */
export function decodeComponent(encoded: Buffer): Buffer {
  if (encoded.indexOf(PERCENT) === -1 && encoded.indexOf(PLUS) === -1) return Buffer.from(encoded);
  const out = Buffer.allocUnsafe(encoded.length);
  let length = 0;
  for (let i = 0; i < encoded.length; i++) {
    const byte = encoded[i];
    if (byte === PLUS) {
      out[length++] = SPACE;
    } else if (byte === PERCENT && i + 2 < encoded.length && isHex(encoded[i + 1]) && isHex(encoded[i + 2])) {
      out[length++] = (hexValue(encoded[i + 1]) << 4) | hexValue(encoded[i + 2]);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && hexValue(byte) !== -1;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
