/**
 * The papers people ask for, as PDF: the qualification templates pre-filled for the enterprise
 * that asks (seed 002: acceptance form, network-access commitment, power of attorney, each to be
 * sealed), their examples, and the number proof (seed 003 Q3, Q7) for a purchased number. Another
 * tenant's company and numbers read as absent.
 */
import { describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { instanceFor, purchasedFixedLine, USCC, verifiedEnterprise } from '../support/fixtures';
import { bearer, billingCall, useHarness } from '../support/harness';
import { pdfText } from '../support/pdf';

const h = useHarness({ PURCHASE_PAYMENT_POLL: '30s', PURCHASE_PAYMENT_WINDOW: '1h' });

/** GET as a PDF: the bytes whatever the content type. */
function getPdf(path: string, token: string): Promise<Response> {
  return h.api
    .get(path)
    .set(...bearer(token))
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

async function pdfOf(res: Response): Promise<string> {
  expect(res.status, String(res.body)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const bytes = res.body as Buffer;
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return (await pdfText(bytes)).replace(/\s+/g, ' ');
}

describe('templates (seed 002: 模板下载, 示例, 加盖公司公章)', () => {
  it('serves each form pre-filled with the asking enterprise company and code, with the seal box; support names the enterprise; another tenant reads 404', async () => {
    // Before any application the forms are blank, to be filled by hand.
    const blank = await pdfOf(await getPdf('/v1/templates/acceptance-form', h.tokens.entA));
    expect(blank).toContain('电话受理单');
    expect(blank).not.toContain(USCC);

    await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
    for (const [template, title] of [
      ['acceptance-form', '电话受理单'],
      ['network-access-commitment', '电信入网承诺书'],
      ['power-of-attorney', '委托授权书'],
    ] as const) {
      const text = await pdfOf(await getPdf(`/v1/templates/${template}`, h.tokens.entA));
      expect(text).toContain(title);
      expect(text).toContain('广州示例通信科技有限公司');
      expect(text).toContain(USCC);
      expect(text).toContain('加盖公司公章');
    }

    // Support gets the form made out to the enterprise it names.
    const forA = await pdfOf(
      await getPdf(`/v1/templates/power-of-attorney?enterpriseId=${h.enterprises.a}`, h.tokens.support),
    );
    expect(forA).toContain(USCC);

    // Enterprise B never sees A's company: naming A is a 404, its own form is blank.
    expect((await getPdf(`/v1/templates/acceptance-form?enterpriseId=${h.enterprises.a}`, h.tokens.entB)).status).toBe(
      404,
    );
    const forB = await pdfOf(await getPdf('/v1/templates/acceptance-form', h.tokens.entB));
    expect(forB).not.toContain(USCC);
    expect(forB).not.toContain('广州示例通信科技有限公司');

    expect((await getPdf('/v1/templates/business-licence', h.tokens.entA)).status).toBe(404);
    expect((await getPdf('/v1/templates/acceptance-form?example=yes', h.tokens.entA)).status).toBe(400);
    expect((await getPdf('/v1/templates/acceptance-form', 'nobody')).status).toBe(401);
  });

  it('serves examples marked as such, for forms and for materials without a form, saying whether the seal is needed', async () => {
    const form = await pdfOf(await getPdf('/v1/templates/network-access-commitment?example=1', h.tokens.entB));
    expect(form).toContain('示例 EXAMPLE');
    expect(form).toContain('电信入网承诺书');
    const licence = await pdfOf(await getPdf('/v1/templates/business-licence?example=1', h.tokens.entB));
    expect(licence).toContain('营业执照扫描件');
    expect(licence).toContain('需要加盖公司公章');
    const photo = await pdfOf(await getPdf('/v1/templates/agent-holding-id?example=1', h.tokens.entB));
    expect(photo).toContain('无需盖章');
  });
});

describe('number proof (seed 003 Q3 号码证明, Q7 号码认证)', () => {
  it("names a purchased number, its holder's company and code, in service since and status; only the owner and support get it", async () => {
    const customer = await verifiedEnterprise(h, h.enterprises.b, h.tokens.entB);
    const instance = await instanceFor(h, h.enterprises.b);
    await billingCall(h, 'POST', `/v1/customers/${customer}/credits`, { amountFen: 100_000 });
    const [number] = (await purchasedFixedLine(h, h.enterprises.b, h.tokens.entB, { instanceId: instance.instanceId }))
      .numbers;
    const today = new Date().toISOString().slice(0, 10);

    for (const token of [h.tokens.entB, h.tokens.support]) {
      const text = await pdfOf(await getPdf(`/v1/numbers/${number}/proof`, token));
      expect(text).toContain('号码证明');
      expect(text).toContain(number);
      expect(text).toContain('广州示例通信科技有限公司');
      expect(text).toContain(USCC);
      expect(text).toContain(`开通日期 In service since：${today}`);
      expect(text).toContain('在用 in service');
    }
    // Another tenant's number, and a number no one holds, read as absent.
    expect((await getPdf(`/v1/numbers/${number}/proof`, h.tokens.entA)).status).toBe(404);
    expect((await getPdf('/v1/numbers/020-66249999/proof', h.tokens.support)).status).toBe(404);
    expect((await getPdf('/v1/numbers/not-a-number/proof', h.tokens.support)).status).toBe(400);
  });
});
