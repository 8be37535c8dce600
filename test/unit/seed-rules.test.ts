/** Rules read straight off the seeds, each test named with the words it follows. */
import { describe, expect, it } from 'vitest';
import { numberPurchaseStartSchema } from '../../domain/numbers';
import { sipRegistrationStartSchema } from '../../domain/sip';

const purchase = {
  kind: 'number-purchase',
  enterpriseId: 'ent-1',
  numberType: 'fixed-line',
  areaCode: '020',
  quantity: 1,
  scenario: 'inbound',
  callScript: '您好，这里是示例科技客服中心。',
  binding: { instanceId: 'cc-1' },
};

describe('seed rules', () => {
  it('renews automatically unless told otherwise (003 Q8: 为了避免月租到期影响号码的使用建议使用您这边开通自动续费)', () => {
    expect(numberPurchaseStartSchema.parse(purchase).autoRenew).toBe(true);
    expect(numberPurchaseStartSchema.parse({ ...purchase, autoRenew: false }).autoRenew).toBe(false);
  });

  it('refuses an own mobile number for registration mode in plain words (003 Q1: 云呼不支持自己手机号接入使用)', () => {
    const parsed = sipRegistrationStartSchema.safeParse({
      kind: 'sip-registration',
      enterpriseId: 'ent-1',
      instanceId: 'cc-1',
      numbers: ['13800138000'],
      transport: 'tcp',
      gatewayVendor: 'generic',
      contact: { name: 'a', phone: '13800138000', email: 'a@example.cn' },
    });
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['numbers.0', expect.stringContaining('own mobile numbers cannot be connected')],
    ]);
  });
});
