import { compareSemver, isSemver, parseRef, stableLockJson, type LockEntry } from '../../definitions/registry';

describe('semver helpers', () => {
  it.each([
    ['1.0.0', true],
    ['0.0.0', true],
    ['10.20.30-rc.1+build.5', true],
    ['1.0', false],
    ['01.0.0', false],
    ['v1.0.0', false],
    ['1.0.0.0', false],
    ['', false],
  ])('isSemver(%j) is %s', (v, ok) => {
    expect(isSemver(v)).toBe(ok);
  });

  it.each([
    ['1.0.0', '1.0.0', 0],
    ['1.2.0', '1.10.0', -1],
    ['2.0.0', '1.99.99', 1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0', '1.0.0-rc.1', 1],
  ])('compareSemver(%j, %j) has sign %i', (a, b, sign) => {
    expect(Math.sign(compareSemver(a, b))).toBe(sign);
  });

  it.each([
    ['feature-pipeline@1.0.0', { id: 'feature-pipeline', version: '1.0.0' }],
    ['a.b_c@0.1.2', { id: 'a.b_c', version: '0.1.2' }],
  ])('parseRef(%j) splits id and version', (ref, want) => {
    expect(parseRef(ref)).toEqual(want);
  });

  it('writes the same lock text whatever order entries and keys come in', () => {
    const e = (version: string): LockEntry => ({ kind: 'pipeline', id: 'p', version, path: `pipelines/p@${version}.yaml`, sha256: 'ab' });
    const shuffled = { sha256: 'ab', path: 'profiles/x@1.0.0.yaml', version: '1.0.0', id: 'x', kind: 'profile' } as LockEntry;
    const a = stableLockJson({ lockfileVersion: 1, entries: [e('1.10.0'), shuffled, e('1.9.0')] });
    const b = stableLockJson({ lockfileVersion: 1, entries: [shuffled, e('1.9.0'), e('1.10.0')] });
    expect(a).toBe(b);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a.indexOf('1.9.0')).toBeLessThan(a.indexOf('1.10.0'));
  });
});
