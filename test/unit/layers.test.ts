/**
 * The folders' layering: domain/ is the ground floor and imports nothing from contract/ (which
 * may import domain/), and no folder reaches itself again through others' imports. Read from the
 * sources, so a new file is covered without listing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCT_FOLDERS, ROOT, sources } from './product-sources';

type FolderGraph = Map<string, Map<string, string>>;

/** Which folder imports which, with one file that does it (for the message). */
function folderGraph(folders: string[]): FolderGraph {
  const graph: FolderGraph = new Map(folders.map((f) => [f, new Map()]));
  for (const folder of folders)
    for (const file of sources(path.join(ROOT, folder)))
      for (const specifier of specifiers(fs.readFileSync(file, 'utf8'))) {
        const target = folderOf(file, specifier);
        if (target && target !== folder && graph.has(target) && !graph.get(folder)!.has(target))
          graph.get(folder)!.set(target, path.relative(ROOT, file));
      }
  return graph;
}

/** Every circle of folders (each once, from its first folder in the list), with the file of each step. */
function circles(graph: FolderGraph): string[] {
  const found: string[] = [];
  const order = [...graph.keys()];
  const walk = (start: string, at: string, trail: string[]): void => {
    for (const [next, file] of graph.get(at)!) {
      const step = `${at} -> ${next} (${file})`;
      if (next === start) found.push([...trail, step].join(', '));
      else if (order.indexOf(next) > order.indexOf(start) && !trail.some((t) => t.startsWith(`${next} `)))
        walk(start, next, [...trail, step]);
    }
  };
  for (const start of order) walk(start, start, []);
  return found;
}

/** Every module a file names in an import, export-from, require or dynamic import. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The top-level folder a relative import from `file` lands in. */
function folderOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
  return target.split(path.sep)[0];
}

describe('the layers', () => {
  it('finds an import of contract/ in every form, from any depth of domain/', () => {
    const text = [
      "import { a } from '../contract/case';",
      "import type { B } from '../contract/inputs';",
      "export { c } from '../contract';",
      "const d = require('../contract/x');",
      "import '../contract/side-effect';",
      "import { z } from 'zod';",
      "import { e } from './case';",
    ].join('\n');
    const file = path.join(ROOT, 'domain', 'x.ts');
    expect(specifiers(text).map((s) => folderOf(file, s))).toEqual([
      'contract',
      'contract',
      'contract',
      'contract',
      'contract',
      undefined,
      'domain',
    ]);
    expect(folderOf(path.join(ROOT, 'domain', 'catalog', 'x.ts'), '../../contract/case')).toBe('contract');
  });

  it('domain/ imports nothing from contract/', () => {
    const offending = sources(path.join(ROOT, 'domain')).flatMap((file) =>
      specifiers(fs.readFileSync(file, 'utf8'))
        .filter((specifier) => folderOf(file, specifier) === 'contract')
        .map((specifier) => `${path.relative(ROOT, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('finds a circle of folders, naming a file for each step', () => {
    const graph: FolderGraph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
      ['d', new Map([['a', 'd/w.ts']])],
    ]);
    expect(circles(graph)).toEqual(['a -> b (a/x.ts), b -> c (b/y.ts), c -> a (c/z.ts)']);
  });

  it('has no circle between folders', () => {
    expect(circles(folderGraph(PRODUCT_FOLDERS))).toEqual([]);
  });
});
