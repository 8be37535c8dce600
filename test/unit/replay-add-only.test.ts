/**
 * Recorded histories are add-only (README, "Changing a workflow"): no commit after the one that
 * added this file may modify or delete a file under test/replay/, or change an existing workflow
 * id, unless the README's "Retired patches" section names the history.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addingCommit,
  ensureFullHistory,
  IDS_PATH,
  replayChangesSince,
  retiredHistories,
  ROOT,
  violations,
  type ReplayChange,
} from '../support/replay-add-only';

describe('recorded histories under test/replay/ are add-only', () => {
  it('no commit since this test was added modifies or deletes one unless Retired patches names it', () => {
    ensureFullHistory();
    // Until this file is committed, the working tree alone is checked against HEAD.
    const base = addingCommit() ?? 'HEAD';
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/^#+ Retired patches\s*$/m);
    expect(violations(replayChangesSince(base), retiredHistories(readme))).toEqual([]);
  });

  it('flags a modified or deleted history and a changed or removed workflow id, and allows additions and retired names', () => {
    const change = (status: string, file: string, ids?: [object, object]): ReplayChange => ({
      commit: 'abcdef0123456789',
      subject: 'a change',
      status,
      path: file,
      ...(ids && { before: JSON.stringify(ids[0]), after: JSON.stringify(ids[1]) }),
    });
    const retired = retiredHistories(
      [
        '## Changing a workflow',
        'test/replay/not-this-one.json is only mentioned here.',
        '### Retired patches',
        '- `old-patch`, retired: `test/replay/sip-trunk-old.json` no longer replays.',
        '## Production',
        'test/replay/nor-this-one.json',
      ].join('\n'),
    );
    expect([...retired]).toEqual(['test/replay/sip-trunk-old.json']);
    expect(
      violations(
        [
          change('A', 'test/replay/new.json'),
          change('M', 'test/replay/a.json'),
          change('D', 'test/replay/b.json'),
          change('T', 'test/replay/c.json'),
          change('M', 'test/replay/sip-trunk-old.json'),
          change('D', 'test/replay/sip-trunk-old.json'),
          change('M', 'test/replay/not-this-one.json'),
          change('M', IDS_PATH, [
            { kept: 'w1', changed: 'w2', removed: 'w3', 'sip-trunk-old': 'w4' },
            { added: 'w0', kept: 'w1', changed: 'w9' },
          ]),
        ],
        retired,
      ),
    ).toEqual([
      'abcdef0123 (a change) modifies test/replay/a.json',
      'abcdef0123 (a change) deletes test/replay/b.json',
      'abcdef0123 (a change) modifies test/replay/c.json',
      'abcdef0123 (a change) modifies test/replay/not-this-one.json',
      'abcdef0123 (a change) changes the workflow id of test/replay/changed.json',
      'abcdef0123 (a change) removes the workflow id of test/replay/removed.json',
    ]);
  });
});
