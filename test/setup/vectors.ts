import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One entry of test/fixtures/vectors.json (a copy of the shared protocol vectors): the protocol's reference values. */
export interface ProtocolVector {
  name: string;
  kind: 'ipn' | 'lcn';
  secret_key: string;
  payload: Array<[string, string | string[]]>;
  body_urlencoded: string;
  response_date: string;
  expected: {
    signature_source: string;
    HASH: string;
    SIGNATURE_SHA2_256: string;
    SIGNATURE_SHA3_256: string;
    receipt_source: string;
    receipt_md5: string;
    receipt_sha256: string;
    receipt_sha3_256: string;
  };
}

export const VECTORS_PATH = resolve(__dirname, '..', 'fixtures', 'vectors.json');

export function loadVectors(): ProtocolVector[] {
  return (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { vectors: ProtocolVector[] }).vectors;
}
