import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FormBody } from '../modules/ipn/protocol';

type Fields = Record<string, string | string[]>;

/** One notification of a scenario: a base body from test/fixtures/notifications, with some fields changed. */
interface ScenarioStep {
  kind: 'ipn' | 'lcn';
  body: string;
  /** Replaces these fields where the base has them; others are added at the end, before the signature. */
  fields?: Fields;
  /** What the step does, and what to look for in the read API after it. */
  note: string;
}

interface ScenarioFile {
  description: string;
  steps: ScenarioStep[];
}

export interface Scenario {
  name: string;
  description: string;
  steps: Array<{ kind: 'ipn' | 'lcn'; note: string; form: FormBody }>;
}

/** The identities a run fills in, so that a scenario can be sent again and again, each time anew. */
export interface ScenarioIdentities {
  /** {{REFNO1}}, {{REFNO2}}, ...: the scenario's orders. */
  refNos: string[];
  /** {{LICENSE}}, {{LICENSE2}}: its licenses. */
  licenses: [string, string];
  /** {{EMAIL}} */
  email: string;
  /** {{RUN}}: tells this run's MESSAGE_IDs apart. */
  run: string;
}

/** Identities derived from `seed` (digits): REFNOs `${seed}1`, `${seed}2`, ... */
export function identitiesFrom(seed: string): ScenarioIdentities {
  return {
    refNos: Array.from({ length: 9 }, (_, i) => `${seed}${i + 1}`),
    licenses: [`L${seed}A`, `L${seed}B`],
    email: `buyer-${seed}@example.com`,
    run: seed,
  };
}

/** Folder of the fixtures, from the source tree or from its build in dist/. */
export function fixturesFolder(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('test/fixtures not found: run from the project folder');
    folder = parent;
  }
  return join(folder, 'test', 'fixtures');
}

export function scenarioNames(): string[] {
  return readdirSync(join(fixturesFolder(), 'scenarios'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The scenario's notifications, unsigned, with this run's identities filled in. */
export function loadScenario(name: string, identities: ScenarioIdentities): Scenario {
  if (!scenarioNames().includes(name)) throw new Error(`No scenario "${name}"; there are: ${scenarioNames().join(', ')}`);
  const file = readJson<ScenarioFile>(join('scenarios', `${name}.json`));
  return {
    name,
    description: file.description,
    steps: file.steps.map((step, i) => {
      const base = readJson<{ fields: Fields }>(join('notifications', `${step.body}.json`)).fields;
      const fields: Fields = { ...base, ...step.fields };
      const fill = (text: string) => filled(text, identities, i + 1);
      const pairs = Object.entries(fields).map(([key, value]): [string, string | string[]] => [
        key,
        Array.isArray(value) ? value.map(fill) : fill(value),
      ]);
      return { kind: step.kind, note: fill(step.note), form: FormBody.fromPairs(pairs) };
    }),
  };
}

function filled(text: string, identities: ScenarioIdentities, step: number): string {
  return text.replace(/\{\{(REFNO(\d)|LICENSE2?|EMAIL|RUN|STEP)\}\}/g, (_, name: string, order?: string) => {
    if (order) return identities.refNos[Number(order) - 1];
    if (name === 'LICENSE') return identities.licenses[0];
    if (name === 'LICENSE2') return identities.licenses[1];
    if (name === 'EMAIL') return identities.email;
    return name === 'RUN' ? identities.run : String(step);
  });
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(fixturesFolder(), path), 'utf8')) as T;
}
