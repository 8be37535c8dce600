/**
 * The bench's sip-trunk cases must each be a case the product accepts: a fixed line of its own
 * and a gateway address of its own that the gateway rule admits in a lab, for every case the
 * driver allows.
 */
import { describe, expect, it } from 'vitest';
import { benchGateway, benchTrunkNumber, sipTrunk, sipTrunkStartBody } from '../../bench/kinds';
import { isFixedLine } from '../../domain/numbers';
import { checkGatewayAddress, sipTrunkStartSchema } from '../../domain/sip';

describe('bench sip-trunk cases', () => {
  const count = sipTrunk.maxCases!;

  it('gives every case a distinct fixed line', () => {
    const numbers = Array.from({ length: count }, (_, i) => benchTrunkNumber(i));
    expect(numbers.filter((n) => !isFixedLine(n))).toEqual([]);
    expect(new Set(numbers).size).toBe(count);
  });

  it('gives every case a distinct loopback gateway the rule admits where private ranges are allowed, and none beyond', () => {
    const gateways = Array.from({ length: count }, (_, i) => benchGateway(i));
    expect(new Set(gateways.map((g) => g.ip)).size).toBe(count);
    expect(gateways.filter((g) => checkGatewayAddress(g.ip, { allowPrivate: true }) !== null)).toEqual([]);
    // Clear of the SBC's own /24 (127.0.90) and the integration tests' (127.0.71-74).
    expect(gateways.filter((g) => !/^127\.0\.(9[1-9])\.\d+$/.test(g.ip))).toEqual([]);
    expect(() => benchGateway(count)).toThrow(/no bench gateway/);
  });

  it('starts with a body the API schema accepts', () => {
    const parsed = sipTrunkStartSchema.safeParse(sipTrunkStartBody('ent-1', count - 1));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
