import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from './environment';

const root = join(__dirname, '..', '..');
const REFERENCE = join(root, 'docs', 'configuration.md');

/** The variables documented: the first cell of each table row, `` | `NAME` | … ``. */
function documented(page: string): Set<string> {
  return new Set([...page.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map(([, name]) => name));
}

/**
 * What the configuration code reads besides the declared rules: `env.NAME`, `source.NAME`, `env['NAME']`
 * in src/config/ (a variable read straight from the environment object counts too).
 */
function readInConfigSource(): Set<string> {
  const folder = join(root, 'src', 'config');
  const names = new Set<string>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    for (const [, name] of text.matchAll(/\b(?:env|source|environment)(?:\.|\[['"])([A-Z][A-Z0-9_]*)\b/g)) names.add(name);
  }
  return names;
}

function difference(a: Iterable<string>, b: Set<string>): string[] {
  return [...new Set(a)].filter((name) => !b.has(name)).sort();
}

describe('docs/configuration.md', () => {
  const read = new Set([...ENVIRONMENT_VARIABLES, ...readInConfigSource()]);
  const listed = documented(readFileSync(REFERENCE, 'utf8'));

  it('finds the variables the configuration code reads (the derivation is not empty)', () => {
    expect(ENVIRONMENT_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'IPN_SECRET_KEY', 'DATABASE_URL', 'EVENTS_TOKEN']));
    expect([...readInConfigSource()]).toEqual(expect.arrayContaining(['IPN_SECRET_KEY', 'LOG_FORMAT']));
  });

  it('has a row for every variable the configuration code reads', () => {
    expect(difference(read, listed)).toEqual([]);
  });

  it('documents no variable the configuration code does not read', () => {
    expect(difference(listed, read)).toEqual([]);
  });

  it('would name a variable missing from the page, and one the code no longer reads', () => {
    const page = '| `PORT` | `3000` | HTTP port |\n| `GONE_SETTING` | `1` | no longer read |\n';
    expect(difference(['PORT', 'NEW_SETTING'], documented(page))).toEqual(['NEW_SETTING']);
    expect(difference(documented(page), new Set(['PORT']))).toEqual(['GONE_SETTING']);
  });
});
