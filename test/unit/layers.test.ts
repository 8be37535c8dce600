/**
 * The folders' layering: domain/ is the ground floor and imports nothing from contract/ (which
 * may import domain/). Read from the sources, so a new file is covered without listing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
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
});
