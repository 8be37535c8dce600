/**
 * Files and functions a person can read in a sitting: no product source over 450 lines, no
 * function (declaration, function expression, arrow function, method, accessor or constructor)
 * over 120. Read from the sources with the TypeScript compiler, so a new file or function is
 * covered without listing it; generated files are named below, and only they are exempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PRODUCT_FOLDERS, relativeToRoot, ROOT, sources } from './product-sources';

/** Written by a tool, not by people: `npm run client:generate` writes the client's types. */
const GENERATED = ['client/schema.ts'];

const MAX_FILE_LINES = 450;
const MAX_FUNCTION_LINES = 120;

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** What a person would call the function: its own name, or the name it is bound to. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.name
  )
    return parent.name.getText(source);
  if (ts.isBinaryExpression(parent)) return parent.left.getText(source);
  return '(anonymous)';
}

export interface LongFunction {
  name: string;
  /** 1-based line of its first line. */
  line: number;
  lines: number;
}

/** Every function in `text` longer than `max` lines, its first line to its last. */
export function longFunctions(file: string, text: string, max: number): LongFunction[] {
  const kind = /\.(js|mjs)$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    ) {
      if (node.body) {
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > max) found.push({ name: nameOf(node, source), line: first + 1, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** One line per file or function over its limit, naming it. */
export function oversized(root: string, files: string[]): string[] {
  return files.flatMap((file) => {
    const relative = path.relative(root, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const lines = lineCount(text);
    return [
      ...(lines > MAX_FILE_LINES ? [`${relative}: ${lines} lines (at most ${MAX_FILE_LINES})`] : []),
      ...longFunctions(file, text, MAX_FUNCTION_LINES).map(
        (f) => `${relative}:${f.line} ${f.name}: ${f.lines} lines (at most ${MAX_FUNCTION_LINES} a function)`,
      ),
    ];
  });
}

/** Hand-written product sources: declaration files and generated files are not read. */
function productSources(): string[] {
  return PRODUCT_FOLDERS.flatMap((folder) => sources(path.join(ROOT, folder))).filter(
    (file) => !file.endsWith('.d.ts') && !GENERATED.includes(relativeToRoot(file)),
  );
}

describe('code size', () => {
  it('measures every kind of function, named as written, and nothing else', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `export function declared() {\n${body(4)}\n}`,
      `const arrow = () => {\n${body(4)}\n};`,
      `class Thing {\n  constructor() {\n${body(4)}\n  }\n  method() {\n${body(4)}\n  }\n  get value() {\n${body(4)}\n    return 1;\n  }\n}`,
      `const object = {\n  member: function () {\n${body(4)}\n  },\n  short() {\n    return 1;\n  },\n};`,
      `function outer() {\n  return [1].map((x) => {\n${body(4)}\n    return x;\n  });\n}`,
      `const notAFunction = [\n${body(8)}\n];`,
    ].join('\n');
    const found = longFunctions('sample.ts', text, 5);
    expect(found.map((f) => `${f.name}@${f.line}:${f.lines}`)).toEqual([
      'declared@1:6',
      'arrow@7:6',
      'constructor@14:6',
      'method@20:6',
      'value@26:7',
      'member@35:6',
      'outer@45:9',
      '(anonymous)@46:7',
    ]);
    // JavaScript (the console's modules) is read as such.
    expect(longFunctions('sample.js', `export function f() {\n${body(9)}\n}`, 10)).toEqual([
      { name: 'f', line: 1, lines: 11 },
    ]);
  });

  it('reads the product sources, generated files excepted', () => {
    const files = productSources().map(relativeToRoot);
    expect(files.length).toBeGreaterThan(100);
    for (const folder of PRODUCT_FOLDERS.filter((f) => fs.existsSync(path.join(ROOT, f))))
      expect(
        files.some((f) => f.startsWith(`${folder}/`)),
        folder,
      ).toBe(true);
    expect(files).toContain('console/app.js');
    for (const generated of GENERATED) expect(files).not.toContain(generated);
  });

  it(`has no product file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, () => {
    const found = oversized(ROOT, productSources());
    // The count fails the test; the message names every file and function.
    expect(found.length, `too long to read in a sitting:\n${found.join('\n')}\n`).toBe(0);
    // Parses every product source: seconds on a busy machine.
  }, 60_000);
});
