import { renderTree } from './tree.js';

describe('renderTree', () => {
  it('draws nested paths sorted, with branch characters', () => {
    expect(renderTree('/', ['/', '/b', '/a', '/a/x.txt', '/a/sub', '/a/sub/deep'])).toBe(
      ['/', '├── a', '│   ├── sub', '│   │   └── deep', '│   └── x.txt', '└── b'].join('\n'),
    );
  });
  it('starts below a sub-directory and ignores paths outside it', () => {
    expect(renderTree('/data/', ['/data', '/data/f', '/other'])).toBe('/data/\n└── f');
  });
});
