import generated from './event-schemas.json';

/** One event in the generated schemas: its names there. */
export interface EventSchemaEntry {
  readonly name: string;
  readonly version: number;
  readonly className: string;
  readonly module: string;
  /** The class's doc comment: when the event is raised. */
  readonly when: string;
  /** The definition of its envelope (with its data), and of its data alone. */
  readonly envelope: string;
  readonly data: string;
}

/** JSON Schema (draft-07) definitions, refs as `#/definitions/<name>`. */
export interface EventSchemas {
  readonly $schema: string;
  readonly $comment: string;
  readonly 'x-events': readonly EventSchemaEntry[];
  readonly definitions: Readonly<Record<string, object>>;
}

/**
 * The JSON Schemas of every event and of the envelope (`Envelope`), generated from the event classes
 * by `npm run docs:schemas` into event-schemas.json (a test fails when they drift apart).
 */
export const EVENT_SCHEMAS = generated as unknown as EventSchemas;

/** The definitions with their refs pointing into another document (`#/components/schemas/`). */
export function definitionsUnder(prefix: string, schemas: EventSchemas = EVENT_SCHEMAS): Record<string, object> {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' ? inner.replace('#/definitions/', prefix) : rewrite(inner),
      ]),
    );
  };
  return rewrite(schemas.definitions) as Record<string, object>;
}
