import {
  configMounts,
  holdsPath,
  mountKey,
  mountResource,
  normalizePrefix,
  owningMount,
  summaryPrefix,
  treePrefix,
} from './mount-paths.js';

describe('mount prefixes', () => {
  test.each([
    ['/data', '/data'],
    ['/data/', '/data'],
    ['/', '/'],
    ['/a/b/', '/a/b'],
    ['data', undefined],
    ['data/', undefined],
    ['/a//b', undefined],
    ['/a/../b', undefined],
    ['/./a', undefined],
    ['', undefined],
  ])('normalizePrefix(%p) → %p', (raw, expected) => {
    expect(normalizePrefix(raw)).toBe(expected);
  });

  it('spells a canonical prefix for summaries, trees and keys', () => {
    expect(['/', '/data', '/a/b'].map((prefix) => [summaryPrefix(prefix), treePrefix(prefix), mountKey(prefix)])).toEqual([
      ['/', '', ''],
      ['/data/', 'data/', 'data'],
      ['/a/b/', 'a/b/', 'a/b'],
    ]);
    // Keys match whatever the slashes of the spelling.
    expect(['/data', '/data/', 'data/', 'data'].map(mountKey)).toEqual(['data', 'data', 'data', 'data']);
  });
});

describe('owningMount', () => {
  const absolute = ['/', '/data', '/data2', '/a/b'];
  const keys = absolute.map(mountKey);

  test.each([
    ['/data', '/data'],
    ['/data/x/y', '/data'],
    ['/data2/x', '/data2'],
    ['/datax', '/'],
    ['/a/b/c', '/a/b'],
    ['/a', '/'],
    ['/', '/'],
  ])('absolute %p is owned by %p', (path, owner) => {
    expect(owningMount(absolute, path, (prefix) => prefix)).toBe(owner);
    // The same answer for tree paths and keys.
    expect(owningMount(keys, path.slice(1), (key) => key)).toBe(mountKey(owner));
  });

  it('finds no owner without a root mount, whatever the order of the mounts', () => {
    expect(owningMount(['/data'], '/other/x', (prefix) => prefix)).toBeUndefined();
    expect(owningMount(['/data', '/'], '/data/x', (prefix) => prefix)).toBe('/data');
    expect(owningMount(['/', '/data'], '/data/x', (prefix) => prefix)).toBe('/data');
    expect(holdsPath('/data', '/data-x')).toBe(false);
  });
});

describe('config mounts', () => {
  it('reads resource or its old name vfs, and applies the default mode', () => {
    expect(mountResource({ vfs: 'ram' })).toBe('ram');
    expect(mountResource({ resource: 'disk', vfs: 'ram' })).toBe('disk');
    expect(mountResource({})).toBeUndefined();
    const mounts = configMounts({
      mode: 'READ',
      mounts: { '/a': { vfs: 'ram' }, '/b/': { resource: 's3', mode: 'Write', config: { bucket: 'x' } }, '/c': {} },
    });
    expect(mounts).toEqual([
      { prefix: '/a', resource: 'ram', mode: 'read', config: {} },
      { prefix: '/b/', resource: 's3', mode: 'write', config: { bucket: 'x' } },
      { prefix: '/c', resource: '', mode: 'read', config: {} },
    ]);
  });
});
