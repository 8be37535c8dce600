/**
 * Test files that bind listeners to fixed loopback addresses each own a /24 (`loopbackNet(n)`):
 * two files on one /24 would bind the same SBC or gateway address when the suite runs them side
 * by side. Literal 127.0.n.x addresses in such files would bypass the check.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const FILES = [...sources(path.join(ROOT, 'test')), ...sources(path.join(ROOT, 'bench'))].filter(
  (file) => !file.includes(`${path.sep}unit${path.sep}`) && !file.endsWith(path.join('support', 'net.ts')),
);

describe('loopback /24s of the test and bench files', () => {
  it('are owned by one file each', () => {
    const owners = new Map<number, string[]>();
    for (const file of FILES) {
      for (const match of readFileSync(file, 'utf8').matchAll(/loopbackNet\((\d+)\)/g)) {
        const third = Number(match[1]);
        owners.set(third, [...new Set([...(owners.get(third) ?? []), path.relative(ROOT, file)])]);
      }
    }
    expect(owners.size).toBeGreaterThan(5);
    const shared = [...owners].filter(([, files]) => files.length > 1);
    expect(shared).toEqual([]);
  });

  it('are never written as literals outside 127.0.0.x', () => {
    const literals = FILES.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/127\.0\.([1-9]\d*)\.\d+/g)].map(
        (m) => `${path.relative(ROOT, file)}: ${m[0]}`,
      ),
    );
    expect(literals).toEqual([]);
  });
});
