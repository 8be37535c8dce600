import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualSipGateway } from '../../activities/sip-gateway-manual';
import { RecordingSipGateway } from '../../activities/sip-gateway-recording';
import { createSipGatewayActivities, type NumberAssignment, type SipGateway } from '../../activities/sip-gateway';
import { blockedCalleeBodySchema } from '../../api/schemas';
import { mayUnblock, sbcCallingRules } from '../../domain/calling-rules';
import { productById } from '../../domain/catalog';
import { callingRules, describeCallingRules } from '../../domain/eligibility';

describe('sbcCallingRules', () => {
  it('holds purchased and own-400 lines to 20 concurrent calls out and nothing else (003 Q6)', () => {
    for (const origin of ['purchased', 'own-400'] as const)
      expect(sbcCallingRules(origin)).toEqual({
        maxConcurrentCalls: 20,
        perCalleeDailyLimit: null,
        countOn: 'rung',
        hours: null,
        blindRegions: [],
        maxInbound: 30,
      });
  });

  it('holds own trunk and registration lines only to their capacity: no per-callee limit, hours or blind areas', () => {
    // Even rules a supplier product would carry do not apply to the enterprise's own line.
    const supplierRules = callingRules(productById('a-invitation-fixed')!);
    for (const origin of ['own-trunk', 'own-registration'] as const)
      expect(sbcCallingRules(origin, supplierRules)).toEqual({
        maxConcurrentCalls: 30,
        perCalleeDailyLimit: null,
        countOn: 'rung',
        hours: null,
        blindRegions: [],
        maxInbound: 30,
      });
  });

  it('takes a supplier A invitation line as the catalogue states it: 08:00-22:00, 5 a day, no calls into Xinjiang or Tibet', () => {
    expect(sbcCallingRules('supplier', callingRules(productById('a-invitation-fixed')!))).toEqual({
      maxConcurrentCalls: 20,
      perCalleeDailyLimit: 5,
      countOn: 'rung',
      hours: { fromMinute: 8 * 60, toMinute: 22 * 60 },
      blindRegions: ['新疆', '西藏'],
      maxInbound: 30,
    });
    // A supplier product that states no per-callee limit has none.
    expect(sbcCallingRules('supplier', {}).perCalleeDailyLimit).toBeNull();
  });

  it('keeps a mobile number to one call at a time and a marketing number to one answered call a day', () => {
    expect(sbcCallingRules('supplier', callingRules(productById('a-mobile')!)).maxConcurrentCalls).toBe(1);
    expect(sbcCallingRules('supplier', callingRules(productById('a-marketing-mobile')!))).toMatchObject({
      perCalleeDailyLimit: 1,
      countOn: 'answered',
      hours: { fromMinute: 8 * 60, toMinute: 20 * 60 },
      blindRegions: ['北京', '新疆', '西藏'],
    });
  });

  it('keeps to the strictest of alternatives it cannot choose between: the windows’ overlap, the range’s minimum', () => {
    expect(sbcCallingRules('supplier', callingRules(productById('c-fixed')!))).toMatchObject({
      perCalleeDailyLimit: 1,
      hours: { fromMinute: 9 * 60, toMinute: 20 * 60 },
    });
    // Windows that do not overlap leave no hour.
    expect(
      sbcCallingRules('supplier', {
        callingHours: [
          { from: '08:00', to: '10:00' },
          { from: '12:00', to: '14:00' },
        ],
      }).hours,
    ).toEqual({ fromMinute: 720, toMinute: 720 });
  });
});

describe('who may lift a block', () => {
  it('lets support lift any block and the enterprise only its own', () => {
    expect(mayUnblock('support: ops', 'enterprise: acme')).toBe(false);
    expect(mayUnblock('admin: root', 'enterprise: acme')).toBe(false);
    expect(mayUnblock('support: ops', 'support: other')).toBe(true);
    expect(mayUnblock('enterprise: acme', 'enterprise: acme')).toBe(true);
    expect(mayUnblock('enterprise: acme', 'support: ops')).toBe(true);
  });
});

describe('blocked callee bodies', () => {
  it('normalises a callee to E.164', () => {
    expect(blockedCalleeBodySchema.parse({ number: '138 0013 8000', reason: 'complaint' })).toEqual({
      number: '+8613800138000',
      reason: 'complaint',
    });
    expect(blockedCalleeBodySchema.parse({ number: '020-66240001', reason: 'x' }).number).toBe('+862066240001');
  });

  it('lists every failing field', () => {
    const parsed = blockedCalleeBodySchema.safeParse({ number: '12345', reason: ' ', extra: 1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.') || i.code).sort()).toEqual(
      ['number', 'reason', 'unrecognized_keys'].sort(),
    );
  });
});

describe('the gateway activity that binds numbers', () => {
  function recorder() {
    const seen: NumberAssignment[] = [];
    const gateway: SipGateway = {
      mode: 'test',
      async assignNumbers(a) {
        seen.push(a);
        return [];
      },
      async unassignNumbers() {
        return { removed: [] };
      },
      async assignments() {
        return [];
      },
    };
    return { seen, gateway };
  }

  it('names the enterprise of the instance when the assignment does not, so its rules are kept per enterprise', async () => {
    const { seen, gateway } = recorder();
    const asked: string[] = [];
    const activities = createSipGatewayActivities(gateway, {
      enterpriseOfInstance: async (id) => {
        asked.push(id);
        return id === 'cc-1' ? 'ent-1' : null;
      },
    });
    await activities.assignNumbers({
      instanceId: 'cc-1',
      numbers: ['+862066240001'],
      origin: 'purchased',
      reference: 'case-1',
    });
    await activities.assignNumbers({
      instanceId: 'cc-unknown',
      numbers: ['+862066240002'],
      origin: 'purchased',
      reference: 'case-2',
    });
    await activities.assignNumbers({
      instanceId: 'cc-1',
      numbers: ['+862066240003'],
      enterpriseId: 'ent-given',
      origin: 'purchased',
      reference: 'case-3',
    });
    expect(seen.map((a) => a.enterpriseId)).toEqual(['ent-1', undefined, 'ent-given']);
    expect(asked).toEqual(['cc-1', 'cc-unknown']);
  });
});

describe('blocked callees without an SBC behind the gateway', () => {
  const entry = (number: string) => ({
    enterpriseId: 'ent-1',
    number,
    reason: 'complaint',
    addedBy: 'support: ops',
    addedAt: '2026-12-01T00:00:00.000Z',
  });

  it('the recording gateway keeps them per enterprise, the first entry standing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blocked-'));
    const gw = new RecordingSipGateway(path.join(dir, 'gw.json'));
    expect(await gw.blockCallee(entry('+8613800138000'))).toMatchObject({ created: true });
    expect(await gw.blockCallee({ ...entry('+8613800138000'), reason: 'again' })).toEqual({
      created: false,
      entry: { number: '+8613800138000', reason: 'complaint', addedBy: 'support: ops', addedAt: entry('').addedAt },
    });
    expect(await gw.blockedCallees({ enterpriseId: 'ent-2' })).toEqual([]);
    expect(
      (await new RecordingSipGateway(path.join(dir, 'gw.json')).blockedCallees({ enterpriseId: 'ent-1' })).length,
    ).toBe(1);
    // Support blocked it: the enterprise cannot lift it, support can; both changes are kept.
    const lift = (removedBy: string) =>
      gw.unblockCallee({ enterpriseId: 'ent-1', number: '+8613800138000', removedBy, reason: 'resolved' });
    expect(await lift('enterprise: acme')).toEqual({ removed: false, refused: 'added-by-support' });
    expect(await lift('support: ops')).toEqual({ removed: true });
    expect(await lift('support: ops')).toEqual({ removed: false });
    expect((await gw.blockedCalleeChanges({ enterpriseId: 'ent-1' })).map((c) => [c.change, c.by, c.reason])).toEqual([
      ['added', 'support: ops', 'complaint'],
      ['removed', 'support: ops', 'resolved'],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the manual gateway turns each change into a task for a person', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blocked-'));
    const gw = new ManualSipGateway(path.join(dir, 'gw.json'), { sipDomain: 'sip.test' });
    await gw.blockCallee(entry('+8613800138000'));
    await gw.blockCallee(entry('+8613800138000'));
    await gw.unblockCallee({ enterpriseId: 'ent-1', number: '+8613800138000', removedBy: 'support: ops' });
    await gw.unblockCallee({ enterpriseId: 'ent-1', number: '+8613800138000', removedBy: 'support: ops' });
    expect((await gw.changes()).map((c) => c.action)).toEqual(['block-callee', 'unblock-callee']);
    expect(await gw.blockedCallees({ enterpriseId: 'ent-1' })).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the rules in words', () => {
  it('tells a mobile number’s enterprise that it carries one call at a time', () => {
    expect(describeCallingRules(callingRules(productById('a-mobile')!))).toMatch(
      /^at most 1 call\(s\) at once per number; hours 08:00-22:00/,
    );
  });
});
