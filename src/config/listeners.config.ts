import { plainToInstance } from 'class-transformer';
import { ArrayMinSize, IsArray, IsOptional, IsString, Matches, MinLength, ValidateIf, validateSync } from 'class-validator';
import { ALGORITHMS_BY_STRENGTH, SignatureAlgorithm, isSignatureAlgorithm } from '../modules/ipn/protocol';
import { ConfigurationError } from './configuration.error';
import { firstProblem } from './environment';
import { Secret } from './secret';

export interface ListenerConfig {
  readonly name: string;
  /** Every key valid now; two during a key rotation. */
  readonly secretKeys: readonly Secret[];
  readonly algorithms: readonly SignatureAlgorithm[];
  /**
   * The 2Checkout account whose notifications this listener receives: a notification posted to several
   * listeners of one account is stored once (see assignAccounts).
   */
  readonly account: string;
}

/** A listener as configured, its account only when the operator named one. */
export type ListenerDraft = Omit<ListenerConfig, 'account'> & { readonly account?: string };

/** Listener and account names: they are stored (inbox columns of 64 characters) and shown. */
export const LISTENER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

/** One entry of IPN_LISTENERS, as written by the operator. */
class ListenerDefinition {
  @IsString()
  @Matches(LISTENER_NAME, { message: 'must be letters, digits, - or _' })
  name!: string;

  @IsOptional()
  @IsString()
  @Matches(LISTENER_NAME, { message: 'must be letters, digits, - or _ (at most 63)' })
  account?: string;

  @ValidateIf((definition: ListenerDefinition) => definition.secretKeys === undefined)
  @IsString({ message: 'is needed (a string), or secretKeys (a list)' })
  @MinLength(1, { message: 'must not be empty' })
  secretKey?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  secretKeys?: string[];

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  algorithms?: string[];
}

const VARIABLE = 'IPN_LISTENERS';

export function parseListeners(json: string, defaultAlgorithms: SignatureAlgorithm[]): ListenerDraft[] {
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    throw new ConfigurationError(VARIABLE, 'must be a JSON array of {"name", "secretKey" | "secretKeys", "algorithms"}');
  }
  if (!Array.isArray(entries)) throw new ConfigurationError(VARIABLE, 'must be a JSON array');
  return entries.map((entry, index) => {
    const definition = plainToInstance(ListenerDefinition, entry as object);
    const [error] = validateSync(definition);
    if (error) {
      throw new ConfigurationError(VARIABLE, `entry ${index}, ${error.property}: ${firstProblem(error)}`);
    }
    return {
      name: definition.name,
      secretKeys: (definition.secretKeys ?? [definition.secretKey!]).map((key) => new Secret(key)),
      algorithms: definition.algorithms
        ? parseAlgorithms(`${VARIABLE} entry ${index} algorithms`, definition.algorithms.join(','))
        : defaultAlgorithms,
      ...(definition.account !== undefined && { account: definition.account }),
    };
  });
}

/**
 * Gives every listener its account. A secret key belongs to one 2Checkout account, so listeners that
 * share a key (directly, or through others: a rotation shares the previous key) are one account: the
 * one some of them name, else the name of the first of them in configuration order (the default
 * listener first), which stays put as long as that listener keeps one of the group's keys. Listeners
 * with disjoint keys are separate accounts unless they name the same one. The key that matched a
 * request never decides: 2Checkout signs its retries after a rotation with the new key.
 */
export function assignAccounts(drafts: readonly ListenerDraft[]): ListenerConfig[] {
  const group = drafts.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i])));
  const holder = new Map<string, number>();
  drafts.forEach((draft, i) => {
    for (const key of draft.secretKeys) {
      const id = key.reveal().toString('base64');
      const first = holder.get(id);
      if (first === undefined) holder.set(id, i);
      else {
        // The earlier listener's group takes the later one: a group's root is its first listener.
        const [a, b] = [root(first), root(i)].sort((x, y) => x - y);
        group[b] = a;
      }
    }
  });
  const named = new Map<number, ListenerDraft>();
  drafts.forEach((draft, i) => {
    if (draft.account === undefined) return;
    const other = named.get(root(i));
    if (other && other.account !== draft.account) {
      throw new ConfigurationError(
        VARIABLE,
        `listeners "${other.name}" and "${draft.name}" share a secret key, so they receive one 2Checkout account's notifications, ` +
          `but name different accounts ("${other.account}", "${draft.account}"): give them the same "account", or none`,
      );
    }
    named.set(root(i), draft);
  });
  return drafts.map((draft, i) => ({
    ...draft,
    account: draft.account ?? named.get(root(i))?.account ?? drafts[root(i)].name,
  }));
}

export function parseAlgorithms(variable: string, text: string): SignatureAlgorithm[] {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.find((name) => !isSignatureAlgorithm(name));
  if (unknown !== undefined || names.length === 0) {
    throw new ConfigurationError(
      variable,
      `"${unknown ?? ''}" is not an algorithm; use a comma-separated list of ${ALGORITHMS_BY_STRENGTH.join(', ')}`,
    );
  }
  return [...new Set(names as SignatureAlgorithm[])];
}
