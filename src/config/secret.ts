import { inspect } from 'node:util';

/** A secret value that prints as `[secret]` wherever it ends up: logs, errors, JSON. */
export class Secret {
  readonly #bytes: Buffer;

  constructor(value: string) {
    this.#bytes = Buffer.from(value, 'utf8');
  }

  reveal(): Buffer {
    return this.#bytes;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
