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
}

/** One entry of IPN_LISTENERS, as written by the operator. */
class ListenerDefinition {
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/i, { message: 'must be letters, digits, - or _' })
  name!: string;

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

export function parseListeners(json: string, defaultAlgorithms: SignatureAlgorithm[]): ListenerConfig[] {
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
    };
  });
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
