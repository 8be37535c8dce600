/**
 * Typed inputs of every kind, as the API would decide them, with durations of milliseconds.
 * Waits a test must act within are long; the one a test lets run out is set short by the test.
 */
import type {
  ContactCenterInstanceInput,
  NumberPurchaseInput,
  NumberRecoveryInput,
  Own400LandingInput,
  RealNameInput,
  SipRegistrationInput,
  SipTrunkInput,
  SubscriptionInput,
  ThirdPartyLineInput,
  VerificationInput,
} from '../../contract/inputs';
import { NUMBERS, type Scenario } from './support';

/** Long enough never to run out during a test. */
export const LONG = 60_000;

const contact = { name: '李四', phone: '13800138000', email: 'ops@example.cn' };

export function verificationInput(s: Scenario, timings: Partial<VerificationInput['timings']> = {}): VerificationInput {
  return {
    enterpriseId: s.enterpriseId,
    application: {
      applicantType: 'legal-representative',
      company: {
        name: '广州示例科技有限公司',
        unifiedSocialCreditCode: '91350100M000100Y43',
        entityType: 'company',
        licenceValidFrom: '2020-03-01',
        licenceValidTo: null,
      },
      legalRepresentative: { name: '张三', idNumber: '11010519491231002X' },
      contact,
      documents: [
        { kind: 'business-licence', documentId: 'doc-1' },
        { kind: 'legal-rep-id', documentId: 'doc-2' },
        { kind: 'legal-rep-holding-id', documentId: 'doc-3' },
        { kind: 'acceptance-form', documentId: 'doc-4' },
        { kind: 'network-access-commitment', documentId: 'doc-5' },
      ],
    },
    facts: {
      licence: { validFrom: '2020-03-01', validTo: null, longTerm: true, effectiveEnd: '2030-03-01' },
      mayHoldFixedLines: true,
    },
    timings: { reviewSlaMs: LONG, resubmissionWindowMs: LONG, ...timings },
  };
}

const verified = (s: Scenario) => ({
  enterpriseId: s.enterpriseId,
  customerId: 'cust-1',
  companyName: '广州示例科技有限公司',
  contactEmail: 'ops@example.cn',
});

export const subscriptionTimings = { periodMs: 3_600_000, remindersBeforeMs: [], graceMs: 3_600_000 };

export function purchaseTimings(
  overrides: Partial<NumberPurchaseInput['timings']> = {},
): NumberPurchaseInput['timings'] {
  return {
    scriptReviewSlaMs: LONG,
    scriptResubmissionWindowMs: LONG,
    paymentWindowMs: LONG,
    paymentPollMs: LONG,
    routingSlaMs: LONG,
    reservationTtlMs: 900_000,
    subscription: subscriptionTimings,
    ...overrides,
  };
}

export function purchaseInput(
  s: Scenario,
  request: Partial<NumberPurchaseInput['request']> = {},
  timings: Partial<NumberPurchaseInput['timings']> = {},
): NumberPurchaseInput {
  return {
    ...verified(s),
    request: {
      numberType: 'fixed-line',
      areaCode: '020',
      scenario: 'inbound',
      callScript: '您好，这里是示例科技客服中心，请问有什么可以帮您？',
      autoRenew: false,
      binding: { instanceId: 'cc-1', ivrFlowId: 'ivr-1' },
      ...request,
    },
    sizing: { quantity: 2, method: 'quantity', explanation: '2 number(s) as requested' },
    timings: purchaseTimings(timings),
  };
}

export function subscriptionInput(s: Scenario, overrides: Partial<SubscriptionInput> = {}): SubscriptionInput {
  return {
    ...verified(s),
    orderId: 'ORD-1',
    purchaseId: `number-purchase-${s.token}`,
    numbers: NUMBERS,
    numberType: 'fixed-line',
    instanceId: 'cc-1',
    monthlyRentFen: 10_000,
    paidThrough: Date.now() + 3_600_000,
    autoRenew: false,
    timings: subscriptionTimings,
    renewals: 0,
    carriedSteps: [],
    ...overrides,
  };
}

export function landingInput(s: Scenario, timings: Partial<Own400LandingInput['timings']> = {}): Own400LandingInput {
  return {
    ...verified(s),
    request: {
      own400Number: '4008200001',
      operator: '中国电信',
      operatorConfirmsRelanding: true,
      peakConcurrentInbound: 20,
      areaCode: '020',
      binding: { instanceId: 'cc-1' },
      autoRenew: true,
    },
    own400Display: '400-820-0001',
    fixedLines: {
      request: {
        numberType: 'fixed-line',
        areaCode: '020',
        scenario: 'inbound',
        autoRenew: true,
        binding: { instanceId: 'cc-1' },
        bindOwn400: '4008200001',
        callScript: 'fixed line for binding own 400 number 4008200001',
        applicationNote: 'fixed line for binding own 400 number 4008200001',
      },
      sizing: {
        quantity: 2,
        method: 'peak-concurrency',
        peakConcurrentCalls: 20,
        callsPerNumber: 10,
        explanation: 'ceil(20 / 10) = 2',
      },
    },
    timings: {
      invoicePollMs: LONG,
      invoiceWindowMs: LONG,
      reminderIntervalMs: LONG,
      landingDeadlineMs: LONG,
      testCallWindowMs: LONG,
      purchase: purchaseTimings(),
      subscription: subscriptionTimings,
      ...timings,
    },
  };
}

/** The waits of a SIP case, trunk or registration. */
type SipWaits = Partial<SipTrunkInput['timings']>;

export function sipTimings(overrides: SipWaits = {}): SipTrunkInput['timings'] {
  return {
    reviewSlaMs: LONG,
    whitelistReminderMs: LONG,
    whitelistDeadlineMs: LONG,
    connectivityWindowMs: 100,
    connectivityRetryDeadlineMs: LONG,
    inboundTestWindowMs: LONG,
    registrationReminderMs: LONG,
    registrationDeadlineMs: LONG,
    ...overrides,
  };
}

export const GATEWAY = { ip: '198.51.100.7', port: 5060, transport: 'udp' as const };

/** What a SIP case holds besides its request: the company, the numbers it brings, its waits. */
function sipCase(s: Scenario, timings: SipWaits) {
  return {
    enterpriseId: s.enterpriseId,
    companyName: '广州示例科技有限公司',
    numbers: NUMBERS,
    timings: sipTimings(timings),
  };
}

export function trunkInput(s: Scenario, timings: SipWaits = {}): SipTrunkInput {
  return {
    ...sipCase(s, timings),
    request: { instanceId: 'cc-1', gateway: GATEWAY, boundAppId: 'app-1', contact },
    testCallee: '+8613800138000',
    provider: { inbound: ['203.0.113.10:5060'], outbound: ['203.0.113.11'] },
  };
}

export function registrationInput(s: Scenario, timings: SipWaits = {}): SipRegistrationInput {
  return {
    ...sipCase(s, timings),
    request: { instanceId: 'cc-1', transport: 'tcp', gatewayVendor: 'generic', contact },
    registrar: 'sip.test:5060',
  };
}

export function thirdPartyInput(
  s: Scenario,
  timings: Partial<ThirdPartyLineInput['timings']> = {},
): ThirdPartyLineInput {
  return {
    ...verified(s),
    supplierEmail: 'supplier-a@example.cn',
    product: {
      id: 'A-95-1',
      supplier: 'A',
      name: { zh: '95号码', en: '95 numbers' },
      numberKind: 'mobile',
      leadWorkingDays: 5,
      callingRules: { perCalleeDailyLimit: 2 },
      rulesText: 'at most 2 calls a day to one callee',
    },
    request: {
      industry: 'education',
      scenario: 'outbound',
      callScript: '您好，这里是示例教育的课程回访。',
      regions: [
        { region: 'guangdong', quantity: 1 },
        { region: 'beijing', quantity: 1 },
      ],
      binding: { instanceId: 'cc-1', skillGroupId: 'sg-1' },
    },
    timings: { reviewSlaMs: LONG, dayMs: 3_600_000, escalationEveryMs: 3_600_000, holidays: [], ...timings },
  };
}

export function instanceInput(s: Scenario): ContactCenterInstanceInput {
  return {
    ...verified(s),
    centerName: '广州客服中心',
    admin: { name: '王五', email: 'admin@example.cn' },
    agreement: { version: '2024-06', acceptedAt: '2026-01-02T03:04:05.000Z' },
  };
}

export function realNameInput(s: Scenario, decidedBy?: string): RealNameInput {
  return {
    enterpriseId: s.enterpriseId,
    request: {
      company: { name: '广州示例科技有限公司', unifiedSocialCreditCode: '91350100M000100Y43', entityType: 'company' },
      legalRepresentative: { name: '张三', residentId: '11010519491231002X' },
      businessLicence: 'doc-1',
      contact,
    },
    ...(decidedBy ? { decidedBy } : {}),
    timings: { reviewSlaMs: LONG },
  };
}

export function recoveryInput(s: Scenario): NumberRecoveryInput {
  return {
    ...verified(s),
    number: { e164: [NUMBERS.e164[0]!], display: [NUMBERS.display[0]!] },
    numberType: 'fixed-line',
    binding: { instanceId: 'cc-1', ivrFlowId: 'ivr-1' },
    timings: { subscription: subscriptionTimings },
  };
}
