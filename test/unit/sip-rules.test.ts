import { describe, expect, it } from 'vitest';
import { checkGatewayAddress, sipTrunkStartSchema, trunk400Failures } from '../../domain/sip';

/** A sip-trunk start with a public gateway and these numbers. */
const trunkStart = (numbers: string[]) => ({
  kind: 'sip-trunk',
  enterpriseId: 'ent-1',
  instanceId: 'cc-1',
  gateway: { ip: '8.8.8.8' },
  numbers,
  boundAppId: 'app',
  contact: { name: 'a', phone: '13800138000', email: 'a@example.cn' },
  testCallee: '13800138000',
});

describe('SIP trunk gateway addresses', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['192.168.1.5', 'private'],
    ['127.0.0.2', 'loopback'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
  ])('refuses %s, naming the %s range', (ip, range) => {
    expect(checkGatewayAddress(ip, { allowPrivate: false })).toMatchObject({
      path: 'gateway.ip',
      code: 'gateway-ip-range',
      message: expect.stringContaining(range),
    });
  });

  it('accepts public unicast addresses, and private and loopback ones only where configuration allows', () => {
    expect(checkGatewayAddress('8.8.8.10', { allowPrivate: false })).toBeNull();
    expect(checkGatewayAddress('2400:cb00::1', { allowPrivate: false })).toBeNull();
    expect(checkGatewayAddress('10.1.2.3', { allowPrivate: true })).toBeNull();
    expect(checkGatewayAddress('127.0.0.2', { allowPrivate: true })).toBeNull();
    expect(checkGatewayAddress('100.64.0.1', { allowPrivate: true })?.code).toBe('gateway-ip-range');
  });

  it('refuses duplicate and non-fixed-line numbers, listing each; an own mobile in the words of 003 Q1 "云呼不支持自己手机号接入使用"', () => {
    const parsed = sipTrunkStartSchema.safeParse(trunkStart(['020-66240001', '+86 20 6624 0001', '13800138000']));
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['numbers.2', expect.stringContaining('云呼不支持自己手机号接入使用')],
      ['numbers.1', 'the same number as numbers.0'],
    ]);
    // Anything else that is not a fixed line is named as such.
    const other = sipTrunkStartSchema.safeParse(trunkStart(['12345']));
    expect(other.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('fixed-line')]);
  });

  it('points a gateway without a public IP to registration mode (001: 设备无公网 IP，可按 SIP 账号注册模式接入)', () => {
    expect(checkGatewayAddress('192.168.1.5', { allowPrivate: false })?.message).toMatch(
      /registration mode instead: start a sip-registration/,
    );
  });

  it('carries 400 numbers only when the enterprise says it owns them', () => {
    const body = trunkStart(['020-66240001', '400-800-1234', '4008001234']);
    // A 400 number is a number a trunk may carry; listed twice it is still a duplicate.
    expect(sipTrunkStartSchema.safeParse(body).error?.issues.map((i) => i.path.join('.'))).toEqual(['numbers.2']);
    const undeclared = sipTrunkStartSchema.parse({ ...body, numbers: ['020-66240001', '400-800-1234'] });
    expect(undeclared.owns400Numbers).toBe(false);
    expect(trunk400Failures(undeclared)).toEqual([
      { path: 'numbers.1', code: 'own-400-not-declared', message: expect.stringContaining('owns400Numbers') },
    ]);
    const declared = sipTrunkStartSchema.parse({
      ...body,
      numbers: ['020-66240001', '400-800-1234'],
      owns400Numbers: true,
    });
    expect(trunk400Failures(declared)).toEqual([]);
    expect(trunk400Failures({ numbers: ['020-66240001'], owns400Numbers: false })).toEqual([]);
  });
});
