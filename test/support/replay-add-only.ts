/**
 * Recorded histories (test/replay/) are add-only: each stands for cases that may still be open.
 * This reads git history for every change to test/replay/ since the commit that added the
 * add-only test, and lists the ones that break the rule: a history modified or deleted, or an
 * existing entry of workflow-ids.json changed or removed (an entry whose history names the same id
 * in its first event has only moved there). A history the README's "Retired patches" section names
 * may change (the break is argued there).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const ADD_ONLY_TEST = 'test/unit/replay-add-only.test.ts';
export const IDS_PATH = 'test/replay/workflow-ids.json';

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: 'pipe' });
}

/** One file's change under test/replay/ in one commit (or in the working tree, commit `working tree`). */
export interface ReplayChange {
  commit: string;
  subject: string;
  /** git's name-status letter: A added, M modified, D deleted, T type changed. */
  status: string;
  path: string;
  /** For workflow-ids.json: the file before and after. */
  before?: string;
  after?: string;
}

/**
 * The check needs every commit since the add-only test was added. A shallow clone is deepened
 * (`git fetch --unshallow`); where that cannot be done the check fails saying why, never passes.
 */
export function ensureFullHistory(): void {
  let shallow: string;
  try {
    shallow = git(['rev-parse', '--is-shallow-repository']).trim();
  } catch (err) {
    throw new Error(
      `the add-only check of test/replay/ reads git history, and ${ROOT} is not a git clone it can read: ${(err as Error).message}`,
    );
  }
  if (shallow !== 'true') return;
  try {
    git(['fetch', '--unshallow', '--quiet']);
  } catch (err) {
    throw new Error(
      `this clone is shallow and \`git fetch --unshallow\` failed, so the add-only check of test/replay/ cannot see ` +
        `every commit since ${ADD_ONLY_TEST} was added; clone without --depth. git said: ${(err as Error).message}`,
    );
  }
}

/** The commit that first added the add-only test; undefined while it is not committed yet. */
export function addingCommit(): string | undefined {
  const commits = git(['log', '--diff-filter=A', '--format=%H', '--', ADD_ONLY_TEST]).split('\n').filter(Boolean);
  return commits.at(-1);
}

/** Every change to test/replay/ in the commits after `base` up to HEAD, and in the working tree. */
export function replayChangesSince(base: string): ReplayChange[] {
  const changes: ReplayChange[] = [];
  const log = git([
    'log',
    '--no-renames',
    '--format=%x00%H%x09%s',
    '--name-status',
    `${base}..HEAD`,
    '--',
    'test/replay/',
  ]);
  for (const block of log.split('\0').filter((b) => b.trim())) {
    const [header, ...lines] = block.split('\n');
    const [commit, subject = ''] = header!.split('\t');
    for (const line of lines.filter(Boolean)) {
      const [status, file] = line.split('\t');
      const change: ReplayChange = { commit: commit!, subject, status: status!.slice(0, 1), path: file! };
      if (file === IDS_PATH && change.status === 'M') {
        change.before = git(['show', `${commit}^:${IDS_PATH}`]);
        change.after = git(['show', `${commit}:${IDS_PATH}`]);
      }
      changes.push(change);
    }
  }
  for (const line of git(['status', '--porcelain=v1', '--no-renames', '--untracked-files=no', '--', 'test/replay/'])
    .split('\n')
    .filter(Boolean)) {
    const status = line.slice(0, 2).trim().slice(0, 1);
    const file = line.slice(3);
    const change: ReplayChange = { commit: 'working tree', subject: 'uncommitted', status, path: file };
    if (file === IDS_PATH && status === 'M') {
      change.before = git(['show', `HEAD:${IDS_PATH}`]);
      change.after = readFileSync(path.join(ROOT, IDS_PATH), 'utf8');
    }
    changes.push(change);
  }
  return changes;
}

/** The test/replay/ paths the README's "Retired patches" section names (to the next heading). */
export function retiredHistories(readme: string): Set<string> {
  const start = readme.search(/^#+ Retired patches\s*$/m);
  if (start < 0) return new Set();
  const level = /^#+/.exec(readme.slice(start))![0].length;
  const rest = readme.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => {
    const heading = /^(#+) /.exec(line);
    return heading !== null && heading[1]!.length <= level;
  });
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n');
  return new Set([...section.matchAll(/test\/replay\/[\w.@-]+\.json/g)].map((m) => m[0]));
}

/** The workflow id a history in the working tree names in its first event, if it exists and does. */
export function idInHistory(name: string): string | undefined {
  try {
    const history = JSON.parse(readFileSync(path.join(ROOT, 'test', 'replay', `${name}.json`), 'utf8')) as {
      events?: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
    };
    return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  } catch {
    return undefined;
  }
}

/** The changes that break the add-only rule, each said in a line. */
export function violations(
  changes: ReplayChange[],
  retired: Set<string>,
  historyId: (name: string) => string | undefined = idInHistory,
): string[] {
  const found: string[] = [];
  for (const c of changes) {
    const where = `${c.commit === 'working tree' ? 'the working tree' : c.commit.slice(0, 10)} (${c.subject})`;
    if (c.status === 'A') continue;
    if (c.path === IDS_PATH && c.status === 'M') {
      const before = JSON.parse(c.before ?? '{}') as Record<string, string>;
      const after = JSON.parse(c.after ?? '{}') as Record<string, string>;
      for (const [name, id] of Object.entries(before)) {
        const kept = (after[name] ?? historyId(name)) === id;
        if (kept || retired.has(`test/replay/${name}.json`)) continue;
        found.push(
          `${where} ${after[name] === undefined ? 'removes' : 'changes'} the workflow id of test/replay/${name}.json`,
        );
      }
      continue;
    }
    if (retired.has(c.path)) continue;
    found.push(`${where} ${c.status === 'D' ? 'deletes' : 'modifies'} ${c.path}`);
  }
  return found;
}
