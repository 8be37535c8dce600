import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailActivities } from '../../activities/email';
import { templates, renderEmail } from '../../emails/templates';
import { FileEmailLedger } from '../../storage/email-ledger';
import { MailCatcher } from '../support/harness';

const mail = new MailCatcher();
beforeAll(() => mail.start());
afterAll(() => mail.stop());

/** The email activity as the worker runs it, in an activity context. */
function activities(ledgerFile: string) {
  const { sendEmail } = createEmailActivities({
    transport: nodemailer.createTransport({ host: '127.0.0.1', port: mail.port, ignoreTLS: true }),
    ledger: new FileEmailLedger(ledgerFile),
    from: 'Onboarding <onboarding@test.example>',
    supportAddress: 'support@test.example',
    links: (id) => ({ api: `http://api/v1/onboardings/${id}`, temporalUi: `http://ui/workflows/${id}` }),
  });
  return {
    sendEmail: (req: Parameters<typeof sendEmail>[0]) =>
      new MockActivityEnvironment().run(sendEmail, req) as Promise<Awaited<ReturnType<typeof sendEmail>>>,
  };
}

describe('email activity', () => {
  it('sends once per deduplication key, also after a restart (a new ledger on the same file)', async () => {
    const ledger = path.join(await mkdtemp(path.join(os.tmpdir(), 'ledger-')), 'sent.jsonl');
    const request = {
      dedupKey: 'case-1/run/email/rejected/1',
      to: 'ops@example.cn',
      template: 'verification-rejected' as const,
      caseId: 'case-1',
      data: {
        caseId: 'case-1',
        companyName: '示例公司',
        resubmitBy: '2026-12-01',
        reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '缺少公章' }],
      },
    };
    const first = await activities(ledger).sendEmail(request);
    const retried = await activities(ledger).sendEmail(request);
    expect(first.deduplicated).toBe(false);
    expect(retried).toEqual({ messageId: first.messageId, deduplicated: true });
    await new Promise((r) => setTimeout(r, 200));
    const got = mail.forCase('case-1');
    expect(got).toHaveLength(1);
    expect(got[0]!.text).toContain('缺少公章');
    expect(got[0]!.text).toContain('http://ui/workflows/case-1');
  });

  it('sends to the support mailbox when addressed to support', async () => {
    const ledger = path.join(await mkdtemp(path.join(os.tmpdir(), 'ledger-')), 'sent.jsonl');
    await activities(ledger).sendEmail({
      dedupKey: 'case-2/run/email/submitted/1',
      to: 'support',
      template: 'verification-submitted',
      caseId: 'case-2',
      data: { caseId: 'case-2', companyName: '示例公司', applicantType: 'agent', round: 1, dueAt: '2026-11-23' },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(mail.forCase('case-2').map((m) => m.to)).toEqual(['support@test.example']);
  });
});

describe('email templates', () => {
  it.each(Object.keys(templates))('%s puts Chinese first and English beside it', (name) => {
    const sample: Record<string, unknown> = {
      caseId: 'c',
      companyName: '公司',
      applicantType: 'agent',
      round: 1,
      dueAt: 'd',
      waitingSince: 'w',
      reminder: 1,
      failures: [{ path: 'p', code: 'c', message: 'm' }],
      resubmitBy: 'r',
      reasons: [{ code: 'other', message: 'm', field: 'f' }],
      licenceEffectiveEnd: 'e',
      mayHoldFixedLines: false,
      rejectedAt: 'x',
      kindLabel: 'k',
      numberType: 'fixed-line',
      quantity: 2,
      reason: 'r',
      automatic: true,
      orderId: 'o',
      amountFen: 10500,
      balanceFen: 0,
      payBy: 'p',
      numbers: ['020-66240001'],
      instanceId: 'i',
      instances: ['cc-1'],
      waits: ['number-access'],
      wait: 'approve',
      paidThrough: 'p',
      autoRenew: true,
      undone: ['u'],
      expiresAt: 'e',
      releaseAt: 'r',
      own400Number: '400-800-1234',
      operator: '中国电信',
      fixedLines: ['020-66240001'],
      invoiceId: 'inv',
      confirmBy: 'c',
      product: 'p',
      regions: 'r',
      industry: 'i',
      scenario: 's',
      dueDate: 'd',
      supplier: 'A',
      escalation: 1,
      phase: 'ph',
      by: 'b',
      rules: 'r',
      mode: 'trunk',
      summary: 's',
      change: 'c',
      details: 'd',
      inbound: ['1.2.3.4:5089'],
      outbound: ['1.2.3.5:5089'],
      gateway: 'g',
      target: 't',
      from: 'f',
      sent: 'OPTIONS',
      attempts: 3,
      window: 'w',
      result: 'timeout',
      passed: true,
      checks: [{ name: 'n', passed: true, detail: 'd', at: 'a' }],
      username: 'gateway01',
      password: 'p',
      realm: 'r',
      registrar: 'h:1',
      transport: 'tcp',
      rotation: 0,
      deadline: 'd',
      month: '2026-10',
      supplement: 0,
      chargedFen: 48,
      statement: {
        calls: 1,
        minutes: 2,
        amountFen: 48,
        lines: [
          { display: '020-66240001', direction: 'inbound', calls: 1, minutes: 2, fenPerMinute: 24, amountFen: 48 },
        ],
      },
      calls: [{ callId: 'c1', number: '+862066240001', answeredAt: '2026-10-10T02:00:00Z' }],
    };
    const { subject, text } = renderEmail(name as keyof typeof templates, sample as never, {
      api: 'a',
      temporalUi: 't',
    });
    expect(subject).toMatch(/[\u4e00-\u9fff].*\/.*[A-Za-z]/);
    const [zh, en] = text.split('\n----\n');
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(en).toMatch(/[A-Za-z]{4,}/);
  });

  it('tells an approved long-term licence it does not lapse at the date the form took', () => {
    const links = { api: 'a', temporalUi: 't' };
    const base = { caseId: 'c', companyName: '公司', licenceEffectiveEnd: '2031-06-01', mayHoldFixedLines: true };
    const longTerm = templates['verification-approved']({ ...base, licenceLongTerm: true }, links).text;
    expect(longTerm).toContain('长期有效');
    expect(longTerm).not.toContain('资质有效期至');
    const dated = templates['verification-approved']({ ...base, licenceLongTerm: false }, links).text;
    expect(dated).toContain('资质有效期至 2031-06-01');
  });
});

describe('email activity against a relay that refuses', () => {
  /** A relay that refuses `nobody@` for good (550) and `later@` for now (451). */
  async function refusingRelay() {
    const { SMTPServer } = await import('smtp-server');
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('nobody@'))
          return callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
        if (address.address.startsWith('later@'))
          return callback(Object.assign(new Error('4.2.1 try again later'), { responseCode: 451 }));
        callback();
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('fails a permanently refused delivery for good (EmailRejected) and leaves a temporary refusal to retry', async () => {
    const relay = await refusingRelay();
    try {
      const ledger = new FileEmailLedger(path.join(await mkdtemp(path.join(os.tmpdir(), 'ledger-')), 'sent.jsonl'));
      const { sendEmail } = createEmailActivities({
        transport: nodemailer.createTransport({ host: '127.0.0.1', port: relay.port, ignoreTLS: true }),
        ledger,
        from: 'Onboarding <onboarding@test.example>',
        supportAddress: 'support@test.example',
        links: (id) => ({ api: `http://api/${id}`, temporalUi: `http://ui/${id}` }),
      });
      const send = (to: string) =>
        new MockActivityEnvironment().run(sendEmail, {
          dedupKey: `case-9/email/${to}`,
          to,
          template: 'case-cancelled' as const,
          caseId: 'case-9',
          data: { caseId: 'case-9', companyName: '示例公司', kindLabel: 'test' },
        });
      const permanent = await send('nobody@example.cn').catch((e: unknown) => e);
      expect(permanent).toMatchObject({ type: 'EmailRejected', nonRetryable: true });
      expect((permanent as Error).message).toContain('550');
      const temporary = await send('later@example.cn').catch((e: unknown) => e);
      expect(temporary).toBeInstanceOf(Error);
      expect((temporary as { type?: string }).type).toBeUndefined();
      expect(await ledger.find('case-9/email/nobody@example.cn')).toBeUndefined();
      await expect(send('someone@example.cn')).resolves.toMatchObject({ deduplicated: false });
    } finally {
      await relay.close();
    }
  });
});
