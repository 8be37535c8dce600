import { describe, expect, it } from 'vitest';
import { contactCenterInService, createNumberConflictActivities } from '../../activities/number-conflicts';
import type { AssignedNumber } from '../../activities/sip-gateway';

function gatewayWith(assigned: Omit<AssignedNumber, 'assignedAt'>[]) {
  const asked: string[] = [];
  return {
    asked,
    gateway: {
      async assignments(filter?: { number?: string }) {
        asked.push(filter?.number ?? '');
        return assigned
          .filter((a) => a.number === filter?.number)
          .map((a) => ({ ...a, assignedAt: '2026-01-01T00:00:00Z' }));
      },
    },
  };
}

describe('numbers in service elsewhere', () => {
  it('names the numbers the SBC routes to an instance, with the instance and the case that put them there', async () => {
    const { gateway } = gatewayWith([
      { number: '+862066240011', instanceId: 'cc-a', reference: 'sip-registration-1', origin: 'purchased' as const },
    ]);
    const { numbersInService } = createNumberConflictActivities({ gateway });
    expect(await numbersInService({ numbers: ['+862066240010', '+862066240011'], reference: 'purchase-1' })).toEqual([
      {
        number: '+862066240011',
        display: '020-66240011',
        where: 'sbc',
        owner: 'instance cc-a (case sip-registration-1)',
      },
    ]);
  });

  it("does not count the asking case's own assignments (a retried purchase)", async () => {
    const { gateway } = gatewayWith([
      { number: '+862066240011', instanceId: 'cc-b', reference: 'purchase-1', origin: 'purchased' as const },
    ]);
    const { numbersInService } = createNumberConflictActivities({ gateway });
    expect(await numbersInService({ numbers: ['+862066240011'], reference: 'purchase-1' })).toEqual([]);
  });

  it('finds a 400 number billing writes nationally when the SBC holds it in E.164', async () => {
    const { gateway, asked } = gatewayWith([
      { number: '+864008200001', instanceId: 'cc-a', reference: 'sip-trunk-1', origin: 'purchased' as const },
    ]);
    const { numbersInService } = createNumberConflictActivities({ gateway });
    const found = await numbersInService({ numbers: ['4008200001'], reference: 'purchase-1' });
    expect(found).toEqual([expect.objectContaining({ number: '4008200001', display: '400-820-0001', where: 'sbc' })]);
    expect(asked).toEqual(['4008200001', '+864008200001']);
  });

  it('asks the contact center too, once per number, skipping what the SBC already named', async () => {
    const { gateway } = gatewayWith([
      { number: '+862066240011', instanceId: 'cc-a', reference: 'sip-registration-1', origin: 'purchased' as const },
    ]);
    const bound: Record<string, { instanceId: string; reference: string | null }> = {
      '+862066240011': { instanceId: 'cc-a', reference: null },
      '+862066240012': { instanceId: 'cc-x', reference: null },
      '+862066240013': { instanceId: 'cc-b', reference: 'purchase-1' },
    };
    const { numbersInService } = createNumberConflictActivities({
      gateway,
      elsewhere: [contactCenterInService(async (n) => bound[n] ?? null)],
    });
    expect(
      await numbersInService({
        numbers: ['+862066240011', '+862066240012', '+862066240013', '+862066240014'],
        reference: 'purchase-1',
      }),
    ).toEqual([
      expect.objectContaining({ number: '+862066240011', where: 'sbc' }),
      { number: '+862066240012', display: '020-66240012', where: 'contact center', owner: 'instance cc-x' },
    ]);
  });
});
