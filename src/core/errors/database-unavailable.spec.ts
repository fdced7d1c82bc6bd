import { QueryFailedError } from 'typeorm';
import { isDatabaseTimeout, isDatabaseUnavailable, isUnstorableValue } from './database-unavailable';

/** pg's errors as TypeORM hands them on: a QueryFailedError whose driverError is pg's. */
function failed(driverError: Error & { code?: string }): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

function pgError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['no answer within query_timeout (a black-holed database)', failed(new Error('Query read timeout'))],
    ['no connection within connectionTimeoutMillis', new Error('timeout exceeded when trying to connect')],
    ['a connection dropped mid-query', failed(new Error('Connection terminated unexpectedly'))],
    ['a query on a connection dropped after a timeout', failed(new Error('Client was closed and is not queryable'))],
    ['statement_timeout', failed(pgError('57014', 'canceling statement due to statement timeout'))],
    ['idle_in_transaction_session_timeout', failed(pgError('25P03', 'terminating connection due to idle-in-transaction timeout'))],
    ['the server shutting down', failed(pgError('57P01', 'terminating connection due to administrator command'))],
    ['too many connections', failed(pgError('53300', 'sorry, too many clients already'))],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a cause two levels down', new Error('wrapped', { cause: new Error('wrapped', { cause: new Error('Query read timeout') }) })],
  ])('recognises %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', failed(pgError('23505', 'duplicate key value violates unique constraint'))],
    ['a syntax error', failed(pgError('42601', 'syntax error at or near "SELEC"'))],
    ['a bug in our code', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('does not take %s for an outage', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isDatabaseTimeout', () => {
  it.each([
    ['statement_timeout', failed(pgError('57014', 'canceling statement due to statement timeout'))],
    ['idle_in_transaction_session_timeout', failed(pgError('25P03', 'terminating connection due to idle-in-transaction timeout'))],
  ])('recognises %s', (_case, error) => {
    expect(isDatabaseTimeout(error)).toBe(true);
  });

  it.each([
    ['a dropped connection', failed(new Error('Connection terminated unexpectedly'))],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ])('does not take %s for a time limit', (_case, error) => {
    expect(isDatabaseTimeout(error)).toBe(false);
  });
});

describe('isUnstorableValue', () => {
  it.each([
    ['a value too long for its column', failed(pgError('22001', 'value too long for type character varying(10)'))],
    ['an integer out of range', failed(pgError('22003', 'integer out of range'))],
    ['an index row too large', failed(pgError('54000', 'index row size 10000 exceeds btree version 4 maximum 2704'))],
  ])('recognises %s', (_case, error) => {
    expect(isUnstorableValue(error)).toBe(true);
  });

  it.each([
    ['a unique violation', failed(pgError('23505', 'duplicate key value violates unique constraint'))],
    ['statement_timeout', failed(pgError('57014', 'canceling statement due to statement timeout'))],
    ['a bug in our code', new TypeError('x is undefined')],
  ])('does not take %s for an unstorable value', (_case, error) => {
    expect(isUnstorableValue(error)).toBe(false);
  });
});
