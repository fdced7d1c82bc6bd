/** The HMAC algorithms 2Checkout signs with, strongest first; the names are also Node's digest names. */
export const ALGORITHMS_BY_STRENGTH = ['sha3-256', 'sha256', 'md5'] as const;

export type SignatureAlgorithm = (typeof ALGORITHMS_BY_STRENGTH)[number];

/** The form field that carries each algorithm's signature. */
export const SIGNATURE_FIELD: Readonly<Record<SignatureAlgorithm, string>> = {
  'sha3-256': 'SIGNATURE_SHA3_256',
  sha256: 'SIGNATURE_SHA2_256',
  md5: 'HASH',
};

const SIGNATURE_FIELD_NAMES = new Set(Object.values(SIGNATURE_FIELD));

export function isSignatureField(name: string): boolean {
  return SIGNATURE_FIELD_NAMES.has(name);
}

export function isSignatureAlgorithm(value: string): value is SignatureAlgorithm {
  return (ALGORITHMS_BY_STRENGTH as readonly string[]).includes(value);
}
