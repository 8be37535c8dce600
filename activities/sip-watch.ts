/**
 * Watching the SBC for something a person does elsewhere (a gateway registering, a test call
 * arriving): one activity polls and heartbeats, so a long wait costs few events in history.
 */
import { heartbeat, sleep } from '@temporalio/activity';
import { toNational } from '../domain/numbers';
import { sbcOf, type AccountRef, type CallRecord, type Registration, type SipGateway } from './sip-gateway';

export interface SipWatchDeps {
  gateway: SipGateway;
  pollMs?: number;
}

/** Call records carry the callee as the R-URI user wrote it (`020...`, `+8620...`, `8620...`). */
function sameNumber(a: string, b: string): boolean {
  const norm = (n: string) => toNational(n.replace(/^86(?=\d{9,})/, '+86'));
  return norm(a) === norm(b);
}

export function createSipWatchActivities(deps: SipWatchDeps) {
  const pollMs = deps.pollMs ?? 1_000;
  const until = async <T>(maxWaitMs: number, look: () => Promise<T | null>): Promise<T | null> => {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const found = await look();
      if (found) return found;
      if (Date.now() >= deadline) return null;
      heartbeat();
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    }
  };
  return {
    /** The first admitted call to one of `callees` since `since` (from `sourceIp` if given), or null. */
    async awaitCall(input: {
      callees: string[];
      since: string;
      sourceIp?: string;
      maxWaitMs: number;
    }): Promise<CallRecord | null> {
      const sbc = sbcOf(deps.gateway);
      return until(input.maxWaitMs, async () => {
        const records = await sbc.callRecords({
          since: input.since,
          ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
        });
        return records.find((r) => r.admitted && input.callees.some((n) => sameNumber(r.callee, n))) ?? null;
      });
    },

    /** The account's registration once it registers, or null. */
    async awaitRegistration(input: AccountRef & { maxWaitMs: number }): Promise<Registration | null> {
      const sbc = sbcOf(deps.gateway);
      return until(input.maxWaitMs, () => sbc.registration({ username: input.username, realm: input.realm }));
    },
  };
}

export type SipWatchActivities = ReturnType<typeof createSipWatchActivities>;
