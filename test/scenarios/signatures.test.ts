// Failure signatures: run-specific noise is stripped, so the same failure clusters across runs and
// different failures stay apart.
import { failureSignature, fnv1a64, normalizeFailure, signatureOf } from '../../core/signatures';

describe('normalizeFailure', () => {
  test.each([
    ['Exit Code 1   (expected 0)', 'exit code <n> (expected <n>)'],
    ['at 2026-11-26T10:04:05.123Z request failed', 'at <ts> request failed'],
    ['on 2026-11-26 at 10:04:05', 'on <date> at <time>'],
    ['request 3f2b8c1e-9d4a-4c2b-8e1f-0a1b2c3d4e5f timed out', 'request <uuid> timed out'],
    ['commit deadbeef12 not found', 'commit <hex> not found'],
    ['the decade ended', 'the decade ended'],
    ['cannot open /tmp/factory-x1/out.log', 'cannot open <path>'],
    ['cannot open ./build/out.log', 'cannot open <path>'],
    ['cannot open build/out/x.log', 'cannot open <path>'],
    ['GET http://127.0.0.1:43211/health → 503', 'get <url> → <n>'],
    ['connect ECONNREFUSED 127.0.0.1:5432', 'connect econnrefused <host>'],
    ['listening on localhost:8080', 'listening on <host>'],
    ['took 1.5e3 ms', 'took <n> ms'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeFailure(input)).toBe(expected);
  });
});

describe('failure signatures', () => {
  test.each([
    ['numbers', 'exit code 1: 3 tests failed', 'exit code 2: 17 tests failed'],
    ['paths', 'ENOENT: no such file /tmp/run-a/out.txt', 'ENOENT: no such file /var/tmp/run-b/x/out.txt'],
    ['timestamps', '2026-01-01T00:00:00Z assertion failed', '2027-03-04T12:13:14.5+02:00 assertion failed'],
    ['hex ids', 'container 4f9a2b1c crashed', 'container a0b1c2d3e4f5 crashed'],
    ['hosts', 'GET http://127.0.0.1:4000/a → 500', 'GET https://10.0.0.7:8443/b/c → 502'],
    ['uuids', 'job 3f2b8c1e-9d4a-4c2b-8e1f-0a1b2c3d4e5f lost', 'job 00000000-1111-2222-3333-444444444444 lost'],
    ['case and spaces', 'Status  MISMATCH', 'status mismatch'],
  ])('match when only %s differ', (_what, a, b) => {
    expect(failureSignature('fail', 'command', a)).toBe(failureSignature('fail', 'command', b));
  });

  test.each([
    ['different messages', ['fail', 'command', 'exit code 1'], ['fail', 'command', 'stdout lacks "ok"']],
    ['different scenario kinds', ['fail', 'command', 'status 500'], ['fail', 'http', 'status 500']],
    ['fail vs error', ['fail', 'http', 'connection refused'], ['error', 'http', 'connection refused']],
    ['different words', ['fail', 'judge', 'criteria missing: tests'], ['fail', 'judge', 'criteria missing: docs']],
  ] as const)('differ for %s', (_what, [ka, sa, ma], [kb, sb, mb]) => {
    expect(failureSignature(ka, sa, ma)).not.toBe(failureSignature(kb, sb, mb));
  });

  it('has the form sig- plus 12 hex digits when computed', () => {
    expect(signatureOf('fail', 'command', 'x')).toMatch(/^sig-[0-9a-f]{12}$/);
  });

  test.each([
    ['', 'cbf29ce484222325'],
    ['a', '089be207b544f1e4'],
  ])('fnv1a64(%j) is stable when computed twice', (text, hex) => {
    expect(fnv1a64(text)).toBe(hex);
    expect(fnv1a64(text)).toBe(fnv1a64(text));
  });
});
