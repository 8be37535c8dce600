/** What every SIP gateway with registration-mode accounts does with them, whatever it writes to. */
import { expect } from 'vitest';
import type { CompleteSipGateway } from '../../activities/sip-gateway';

/**
 * Accounts numbered per instance: two cases of `instanceId` get gateway01 and gateway02 in its
 * realm, a replay of the first case is gateway01 again with a new password, and a case of
 * `otherInstance` starts again at gateway01. The four accounts, for the caller's own checks.
 */
export async function expectAccountsNumberedPerInstance(
  gateway: Pick<CompleteSipGateway, 'createAccount'>,
  o: { instanceId: string; otherInstance: string; sipDomain: string },
) {
  const first = await gateway.createAccount({ instanceId: o.instanceId, reference: 'case-reg-a' });
  const second = await gateway.createAccount({ instanceId: o.instanceId, reference: 'case-reg-b' });
  const replay = await gateway.createAccount({ instanceId: o.instanceId, reference: 'case-reg-a' });
  const elsewhere = await gateway.createAccount({ instanceId: o.otherInstance, reference: 'case-reg-c' });
  expect([first, second, replay, elsewhere].map((a) => a.username)).toEqual([
    'gateway01',
    'gateway02',
    'gateway01',
    'gateway01',
  ]);
  expect(first.realm).toBe(`${o.instanceId}.${o.sipDomain}`);
  expect(elsewhere.realm).toBe(`${o.otherInstance}.${o.sipDomain}`);
  expect(first.password).toMatch(/^[A-Za-z0-9]{24}$/);
  expect(replay.password).not.toBe(first.password);
  return { first, second, replay, elsewhere };
}
