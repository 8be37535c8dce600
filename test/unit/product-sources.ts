/** The product's source files, read from the tree so a new file is covered without listing it. */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** The product's top-level folders: everything a deployment runs or its people use (tests, deployment files and docs aside). */
export const PRODUCT_FOLDERS = [
  'activities',
  'api',
  'bench',
  'client',
  'config',
  'console',
  'contract',
  'dev',
  'domain',
  'emails',
  'sandboxes',
  'sbc',
  'sip',
  'storage',
  'worker',
  'workflows',
];

/** Every TypeScript and JavaScript file below `dir` (none where it does not exist), installed packages aside. */
export function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** A file's path from the root, with forward slashes. */
export const relativeToRoot = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');
