import { acceleratorKey, normalizeLabel, stripAccelerator } from '../../core/labels';

describe('normalizeLabel', () => {
  test.each([
    ['[A] Approve', 'approve'],
    ['  [y] Yes, deploy ', 'yes, deploy'],
    ['Y) Yes, deploy', 'yes, deploy'],
    ['Y - Yes, deploy', 'yes, deploy'],
    ['Yes - deploy', 'yes - deploy'],
    ['Fix', 'fix'],
    ['  FIX  ', 'fix'],
    ['[Ab] Two letters', '[ab] two letters'],
    ['', ''],
  ])('returns %j → %j when normalizing', (label, expected) => {
    expect(normalizeLabel(label)).toBe(expected);
  });
});

describe('acceleratorKey', () => {
  test.each([
    ['[K] Label', 'K'],
    ['[y] Yes, deploy', 'Y'],
    ['Y) Yes, deploy', 'Y'],
    ['Y - Yes, deploy', 'Y'],
    ['Yes, deploy', 'Y'],
    ['approve', 'A'],
    ['  ship_it', 'S'],
    ['', ''],
  ])('extracts the key from %j as %j', (label, key) => {
    expect(acceleratorKey(label)).toBe(key);
  });
});

describe('stripAccelerator', () => {
  test.each([
    ['[A] Approve', 'Approve'],
    ['F) Fix', 'Fix'],
    ['Plain', 'Plain'],
  ])('shows %j as %j when displaying a choice', (label, shown) => {
    expect(stripAccelerator(label)).toBe(shown);
  });
});
