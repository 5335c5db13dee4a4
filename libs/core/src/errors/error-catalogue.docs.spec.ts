import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, isErrorCode, type ErrorCode } from './error-catalogue';

/** docs/api.md's error table, row by row: `| status | type | code | retried | breaker | when |`. */
function documentedErrors(): Array<{ status: string; type: string; code: string; retried: string; breaker: string }> {
  const api = readFileSync(join(__dirname, '../../../../docs/api.md'), 'utf8');
  const section = api.slice(api.indexOf('\n## Errors'));
  const rows = section.split('\n').filter((line) => /^\| (\d{3}|4xx) \| `[a-z_]+` \| `[a-z_]+` \|/.test(line));
  return rows.map((row) => {
    const [status, type, code, retried, breaker] = row.split('|').slice(1, 6).map((cell) => cell.trim().replaceAll('`', ''));
    return { status, type, code, retried, breaker };
  });
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

describe('docs/api.md and the error catalogue', () => {
  const documented = documentedErrors();

  it('finds the table', () => {
    expect(documented.length).toBeGreaterThan(10);
  });

  it('lists every code of the catalogue once', () => {
    const codes = documented.map((row) => row.code);
    expect([...codes].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('lists no code that does not exist', () => {
    expect(documented.filter((row) => !isErrorCode(row.code)).map((row) => row.code)).toEqual([]);
  });

  it('gives each code the status, type, retry and breaker the catalogue gives it', () => {
    for (const row of documented.filter((r) => isErrorCode(r.code))) {
      const definition = ERROR_CATALOGUE[row.code as ErrorCode];
      expect(row).toEqual({
        code: row.code,
        status: String(definition.status),
        type: definition.type,
        retried: yesNo(definition.retryable),
        breaker: yesNo(definition.countsAgainstBreaker),
      });
    }
  });
});
