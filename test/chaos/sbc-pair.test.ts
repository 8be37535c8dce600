/**
 * The SBC pair under a kill: calls out are up through both SBCs, every number at its limit of
 * concurrent calls, when SBC 1 is killed with SIGKILL. The platform then fails over to SBC 2 for
 * everything: the BYEs of the calls SBC 1 set up, and new calls. Figures: calls dropped (a BYE
 * SBC 2 could not take to the other party, a call whose record did not end), calls refused at the
 * limit after the kill, and whether every number's limit and the callee's daily count held.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loopbackNet } from '../support/net';
import { type PlatformCall, platformCall, startSbcPair, type TestSbcPair } from '../support/sbc-pair';
import { scenario } from './support';

const NET = loopbackNet(92);
const INSTANCE = 'cc-chaos-pair';
const NUMBERS = Number(process.env.CHAOS_SBC_NUMBERS ?? 4);
const LIMIT = Number(process.env.CHAOS_SBC_LIMIT ?? 5);

let pair: TestSbcPair;
const open: PlatformCall[] = [];

beforeAll(async () => {
  pair = await startSbcPair(NET);
});

afterAll(async () => {
  for (const c of open) c.close();
  await pair?.stop();
});

function call(caller: string, callee: string): PlatformCall {
  const c = platformCall(pair, INSTANCE, caller, callee);
  open.push(c);
  return c;
}

const callee = (n: number, i: number, round: number) =>
  `139${String(n).padStart(2, '0')}${round}${String(i).padStart(5, '0')}`;

it('SBC 1 killed during calls', async () => {
  await scenario(
    `SBC 1 killed during calls (SBC pair on DMQ): SIGKILL with ${NUMBERS * LIMIT + 2} calls up, ${NUMBERS} numbers at their limit of ${LIMIT}`,
    async () => {
      const [sbc1, sbc2] = [pair.sbcs[0].ip, pair.sbcs[1].ip];
      const numbers = Array.from({ length: NUMBERS }, (_, n) => `+8620888830${String(n).padStart(2, '0')}`);
      for (const number of numbers) {
        await pair.assignSupplierNumber(INSTANCE, number, {
          enterpriseId: 'ent-chaos-pair',
          reference: `case-chaos-pair-${number}`,
          rules: { maxConcurrentCalls: LIMIT, perCalleeDailyLimit: 2 },
        });
      }
      // Up through both SBCs, alternating: every number at its limit.
      const up: { call: PlatformCall; via: string }[] = [];
      let refusedBefore = 0;
      for (let i = 0; i < LIMIT; i++) {
        for (const [n, number] of numbers.entries()) {
          const via = (i + n) % 2 === 0 ? sbc1 : sbc2;
          const c = call(number, callee(n, i, 1));
          expect(await c.invite(via)).toBe(200);
          up.push({ call: c, via });
        }
      }
      for (const [n, number] of numbers.entries()) {
        if ((await call(number, callee(n, 99, 1)).invite(n % 2 === 0 ? sbc1 : sbc2)) === 403) refusedBefore++;
      }
      // One callee called twice today by the enterprise, once through each SBC (its daily limit).
      const dailyNumber = '+862088883099';
      await pair.assignSupplierNumber(INSTANCE, dailyNumber, {
        enterpriseId: 'ent-chaos-pair',
        reference: 'case-chaos-pair-daily',
        rules: { perCalleeDailyLimit: 2 },
      });
      const dailyCallee = '13999999999';
      for (const via of [sbc1, sbc2]) {
        const c = call(dailyNumber, dailyCallee);
        expect(await c.invite(via)).toBe(200);
        up.push({ call: c, via });
      }

      await pair.sbcs[0].kill();
      const killedAt = Date.now();

      // Failed over: every number is still at its limit on SBC 2.
      let refusedAfter = 0;
      for (const [n, number] of numbers.entries()) {
        const c = call(number, callee(n, 98, 1));
        const code = await c.invite(sbc2);
        if (code === 403 && c.answer?.text?.includes('concurrent call limit')) refusedAfter++;
      }
      // The callee called twice today (once through each SBC) is refused by SBC 2.
      const daily = call(dailyNumber, dailyCallee);
      await daily.invite(sbc2);
      const dailyRefused = daily.answer?.text?.includes('callee daily limit') ?? false;
      // The BYEs of every call, all through SBC 2.
      const byes = await Promise.all(up.map((u) => u.call.bye(sbc2)));
      const dropped = byes.filter((code) => code !== 200).length;
      const takenOverMs = Date.now() - killedAt;
      // Their records ended by the BYE (the dialogs SBC 2 had from SBC 1 included).
      const ended = await pair.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sbc_call WHERE callid = ANY($1) AND end_reason = 'bye'`,
        [up.map((u) => u.call.callId)],
      );
      // New calls through SBC 2: the slots are free again, up to the limit and not beyond.
      let answeredAfter = 0;
      let refusedAtLimitAfter = 0;
      const again: PlatformCall[] = [];
      for (let i = 0; i < LIMIT + 1; i++) {
        for (const [n, number] of numbers.entries()) {
          const c = call(number, callee(n, i, 2));
          const code = await c.invite(sbc2);
          if (code === 200) {
            answeredAfter++;
            again.push(c);
          } else if (code === 403) refusedAtLimitAfter++;
        }
      }
      for (const c of again) await c.bye(sbc2);

      expect(refusedBefore).toBe(NUMBERS);
      expect(refusedAfter).toBe(NUMBERS);
      expect(dailyRefused).toBe(true);
      expect(dropped).toBe(0);
      expect(ended.rows[0]!.n).toBe(up.length);
      expect(answeredAfter).toBe(NUMBERS * LIMIT);
      const viaSbc1 = up.filter((u) => u.via === sbc1).length;
      expect(refusedAtLimitAfter).toBe(NUMBERS);

      return (
        `${up.length} calls up (${viaSbc1} through SBC 1, ${up.length - viaSbc1} through SBC 2) when SBC 1 was killed; ` +
        `calls dropped: ${dropped} (${byes.length - dropped}/${byes.length} BYEs taken by SBC 2 to the carrier in ${takenOverMs} ms, ` +
        `${ended.rows[0]!.n} call records ended by BYE); ` +
        `calls refused at the limit: ${refusedBefore}/${NUMBERS} before the kill, ${refusedAfter}/${NUMBERS} on SBC 2 right after it, ` +
        `${refusedAtLimitAfter} of ${NUMBERS * (LIMIT + 1)} new calls once the first ${answeredAfter} were up again; ` +
        `limits kept: ${LIMIT} concurrent per number on both SBCs and across the kill, the callee daily count of 2 held (a 3rd call, after one through each SBC, refused by SBC 2 after the kill)`
      );
    },
  );
});
