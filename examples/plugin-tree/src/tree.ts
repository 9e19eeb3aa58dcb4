// Renders a list of absolute paths (as `find` prints them) as an indented tree.

interface Node {
  children: Map<string, Node>;
}

const newNode = (): Node => ({ children: new Map() });

export function renderTree(root: string, paths: string[]): string {
  const base = root.replace(/\/+$/, '');
  const top = newNode();
  for (const path of paths) {
    if (path === root || path === base || !path.startsWith(`${base}/`)) continue;
    let node = top;
    for (const part of path
      .slice(base.length + 1)
      .split('/')
      .filter(Boolean)) {
      let child = node.children.get(part);
      if (child === undefined) {
        child = newNode();
        node.children.set(part, child);
      }
      node = child;
    }
  }
  const lines = [root];
  const walk = (node: Node, prefix: string): void => {
    const names = [...node.children.keys()].sort();
    names.forEach((name, index) => {
      const last = index === names.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${name}`);
      walk(node.children.get(name) as Node, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(top, '');
  return lines.join('\n');
}
