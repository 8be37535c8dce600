/**
 * The console in a real browser (Debian's chromium through playwright-core) against the real
 * stack: sign-in, an enterprise's verification with a pre-check failure shown beside its field,
 * a refused action's problem details beside the field, support approving from the queue, sign-out.
 * One browser for the file; each person gets a fresh browser context.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bearer, billingCall, caseWhen, startHarness, type Harness } from '../support/harness';
import { instanceFor, LEGAL_REP_ID, PDF, PNG, purchasedFixedLine, USCC, verifiedEnterprise } from '../support/fixtures';
import { REQUIRED_DOCUMENTS } from '../../domain/verification';
import { loopbackNet } from '../support/net';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run npx tsx dev/prerequisites.ts --browser`);
  [h, browser] = await Promise.all([
    // A customer gateway on this file's loopback range, which answers nothing: the trunk's
    // connectivity check fails quickly after the whitelist is confirmed.
    startHarness({ SIP_ALLOW_PRIVATE_GATEWAYS: 'true', SIP_OPTIONS_TIMEOUT: '500ms', SIP_CONNECTIVITY_WINDOW: '1s' }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs');

/**
 * The page's serious and critical accessibility violations, by axe-core run in the page (through
 * the debugging protocol, which the console's content security policy does not govern).
 */
async function a11y(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE};0`);
  const { violations, passes } = await page.evaluate(async () => {
    // Runs in the page: its globals, typed loosely (this project compiles without the DOM library).
    const page = globalThis as unknown as {
      axe: { run: (ctx: unknown) => Promise<{ violations: any[]; passes: any[] }> };
      document: unknown;
    };
    const result = await page.axe.run(page.document);
    return {
      passes: result.passes.length,
      violations: result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n: { target: string[] }) => n.target.join(' ')).join(', ')})`),
    };
  });
  expect(passes).toBeGreaterThan(0);
  return violations;
}

/** Screenshots for the README, when asked for (`npm run screenshots`). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

async function signedIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${h.apiUrl}/console/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** The id of the case page the console moved to after a start; else fails with the problem it shows. */
async function openedCase(page: Page): Promise<string> {
  await page.waitForURL(/#\/case\//, { timeout: 30_000 }).catch(async (err: unknown) => {
    throw new Error(
      `no case page: ${await page
        .locator('.problem')
        .textContent()
        .catch(() => '')}`,
      { cause: err },
    );
  });
  return decodeURIComponent(page.url().split('#/case/')[1]!);
}

describe('the console in a browser', () => {
  let caseId: string;

  it('refuses an unknown token beside the field and signs in with a known one', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${h.apiUrl}/console/`);
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#token-error').textContent()).toContain('unknown API token');
    await page.getByLabel('API token').fill(h.tokens.entA);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'console_session');
    expect(cookie).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict' }));
  });

  it('an enterprise starts a verification: a pre-check failure is shown beside its field, then it goes through', async () => {
    const page = await signedIn(h.tokens.entA);
    await page.getByRole('link', { name: 'Start a verification' }).click();
    await page.getByLabel('Applicant type').selectOption('legal-representative');
    const company = page.getByRole('group', { name: 'Company' });
    await company.getByLabel('Name', { exact: false }).first().fill('广州示例通信科技有限公司');
    // A wrong check character: the pre-check refuses it before anything is submitted.
    const badUscc = USCC.slice(0, -1) + (USCC.endsWith('0') ? '1' : '0');
    await company.getByLabel('Unified social credit code').fill(badUscc);
    await company.getByLabel('Entity type').selectOption('company');
    await company.getByLabel('Licence valid from').fill('2021-06-01');
    const rep = page.getByRole('group', { name: 'Legal representative' });
    await rep.getByLabel('Name').fill('张三');
    await rep.getByLabel('Id number').fill(LEGAL_REP_ID);
    const contact = page.getByRole('group', { name: 'Contact' });
    await contact.getByLabel('Name').fill('李四');
    await contact.getByLabel('Phone').fill('13800138000');
    await contact.getByLabel('Email').fill(`ops@${h.enterprises.a}.example.cn`);
    for (const kind of REQUIRED_DOCUMENTS['legal-representative']) {
      await page.getByLabel(`Upload ${kind.replace(/-/g, ' ')}`).setInputFiles({
        name: `${kind}.pdf`,
        mimeType: 'application/pdf',
        buffer: kind.endsWith('holding-id') ? PNG : PDF,
      });
      await expect.poll(() => page.locator(`#upload-${kind}-status`).textContent()).toContain('uploaded');
    }
    await page.getByRole('button', { name: 'Submit verification' }).click();
    const usccField = page.locator('.field', { has: page.getByLabel('Unified social credit code') });
    await expect.poll(() => usccField.locator('.field-errors').textContent(), { timeout: 10_000 }).toMatch(/\S/);
    await expect.poll(() => page.locator('.problem').textContent()).toContain('company.unifiedSocialCreditCode');
    expect(await a11y(page)).toEqual([]);
    await screenshot(page, 'console-verification-form.png');

    await company.getByLabel('Unified social credit code').fill(USCC);
    await page.getByRole('button', { name: 'Submit verification' }).click();
    caseId = await openedCase(page);
    await caseWhen(h, caseId, (c) => c.stage === 'awaiting-review', 'awaiting review');
    await expect.poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 }).toContain('Awaiting review');
  });

  it('support sees it in the queue, views a document; a refused rejection shows problem details beside the field; a coded rejection goes through', async () => {
    expect(caseId).toBeDefined();
    const page = await signedIn(h.tokens.support);
    await page.getByLabel('Enterprise').fill(h.enterprises.a);
    await page.getByLabel('Enterprise').press('Tab');
    const open = page.getByRole('link', { name: `Open ${caseId}` });
    await open.waitFor({ timeout: 30_000 });
    expect(await a11y(page)).toEqual([]);
    await screenshot(page, 'console-queue.png');
    await open.click();
    await page.getByRole('heading', { name: 'Awaiting' }).waitFor();
    await page.getByRole('form', { name: 'Reject' }).waitFor();
    // A document of the application is viewable inline, fetched with the session.
    const frame = page.locator('iframe[title="营业执照 Business licence document"]');
    await frame.waitFor();
    const src = await frame.getAttribute('src');
    const viewed = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return { status: res.status, type: res.headers.get('content-type') };
    }, src);
    expect(viewed).toEqual({ status: 200, type: 'application/pdf' });
    expect(await a11y(page)).toEqual([]);
    await screenshot(page, 'console-case.png');

    // A reason without its message: the API refuses it, and says so beside the message field.
    const reject = page.getByRole('form', { name: 'Reject' });
    await reject.getByLabel('Document kind').selectOption('business-licence');
    await reject.getByLabel('Code').selectOption('seal-missing');
    const answer = page.waitForResponse((r) => r.url().endsWith('/actions/reject'), { timeout: 30_000 });
    await reject.getByRole('button', { name: 'Reject' }).click();
    expect((await answer).status()).toBe(400);
    const messageField = reject.locator('.field', { has: page.getByLabel('Message') });
    await expect
      .poll(() => messageField.locator('.field-errors').textContent(), { timeout: 10_000 })
      .toMatch(/\S/)
      .catch(async (err: unknown) => {
        throw new Error(`no field error; the page shows: ${page.url()} ${await page.locator('main').innerText()}`, {
          cause: err,
        });
      });
    await expect.poll(() => reject.locator('.problem').textContent()).toContain('reasons.0.message');
    expect((await caseWhen(h, caseId, () => true)).stage).toBe('awaiting-review');

    await reject.getByLabel('Message').fill('营业执照扫描件未加盖公章');
    await reject.getByRole('button', { name: 'Reject' }).click();
    // The new stage shows without a reload.
    await expect
      .poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 })
      .toContain('Awaiting resubmission');
  });

  it('the enterprise sees the reason beside the document and resubmits a new one', async () => {
    const page = await signedIn(h.tokens.entA);
    await expect
      .poll(() => page.locator('.cases').textContent(), { timeout: 30_000 })
      .toContain('Next: 重新提交 Resubmit');
    await page.getByRole('link', { name: caseId }).click();
    const reasons = page.getByRole('region', { name: 'Rejection reasons' });
    await expect.poll(() => reasons.textContent(), { timeout: 30_000 }).toContain('营业执照扫描件未加盖公章');
    expect(await reasons.textContent()).toContain('seal-missing');
    const form = page.getByRole('form', { name: 'Resubmit' });
    // What was right is kept: the form starts from the application as it stands.
    expect(
      await form.getByRole('group', { name: 'Company' }).getByLabel('Unified social credit code').inputValue(),
    ).toBe(USCC);
    await expect.poll(() => form.locator('#upload-business-licence-status').textContent()).toContain('Rejected');
    await form.getByLabel('Upload business licence').setInputFiles({
      name: 'licence-sealed.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await expect.poll(() => form.locator('#upload-business-licence-status').textContent()).toContain('uploaded');
    await form.getByRole('button', { name: 'Resubmit' }).click();
    await expect
      .poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 })
      .toMatch(/Awaiting review|Prechecking/i);
    await caseWhen(h, caseId, (c) => c.stage === 'awaiting-review', 'awaiting review again');
  });

  it('support approves from the queue, and both see the case completed', async () => {
    const page = await signedIn(h.tokens.support);
    await page.getByLabel('Enterprise').fill(h.enterprises.a);
    await page.getByLabel('Enterprise').press('Tab');
    await page.getByRole('link', { name: `Open ${caseId}` }).click({ timeout: 30_000 });
    await page.getByRole('form', { name: 'Approve' }).getByLabel('Note').fill('材料齐全 all in order');
    await page.getByRole('button', { name: 'Approve' }).click();
    // The new stage shows without a reload.
    await expect.poll(() => page.locator('dl.facts').first().textContent(), { timeout: 20_000 }).toContain('Completed');
    const done = await caseWhen(h, caseId, (c) => c.status === 'completed', 'approved');
    expect(JSON.stringify(done.steps)).toContain('all in order');

    const enterprise = await signedIn(h.tokens.entA);
    await enterprise.goto(`${h.apiUrl}/console/#/case/${encodeURIComponent(caseId)}`);
    await expect
      .poll(() => enterprise.locator('dl.facts').first().textContent(), { timeout: 30_000 })
      .toContain('Completed');
  });

  it('a SIP trunk started from its generic form, approved by support and its whitelist confirmed by the enterprise', async () => {
    await verifiedEnterprise(h, h.enterprises.b, h.tokens.entB);
    const instance = await instanceFor(h, h.enterprises.b);
    const ent = await signedIn(h.tokens.entB);
    await ent.goto(`${h.apiUrl}/console/#/start/sip-trunk`);
    // The provider's addresses to allow are shown beside the form.
    await expect.poll(() => ent.locator('.panel').textContent(), { timeout: 30_000 }).toMatch(/\d+\.\d+\.\d+\.\d+:\d+/);
    const form = ent.getByRole('form', { name: 'Submit sip trunk' });
    await form.getByLabel('Instance id').fill(instance.instanceId);
    const gateway = form.getByRole('group', { name: 'Gateway' });
    await gateway.getByLabel('Ip').fill(`${loopbackNet(80)}.2`);
    await gateway.getByRole('spinbutton', { name: /\bPort\b/ }).fill('5062');
    await gateway.getByLabel('Transport').selectOption('udp');
    await form.getByRole('button', { name: 'Add numbers' }).click();
    await form.locator('#start-sip-trunk-numbers-0').fill('020-66001121');
    await form.getByLabel('Bound app id').fill(instance.defaults.appId);
    const contact = form.getByRole('group', { name: 'Contact' });
    await contact.getByLabel('Name').fill('王工');
    await contact.getByLabel('Phone').fill('13800138000');
    await contact.getByLabel('Email').fill('noc@example.cn');
    await form.getByLabel('Test callee').fill('13900139000');
    await form.getByRole('button', { name: 'Submit sip trunk' }).click();
    const trunkId = await openedCase(ent);
    await caseWhen(h, trunkId, (c) => c.stage === 'awaiting-review', 'trunk review');

    const support = await signedIn(h.tokens.support);
    await support.goto(`${h.apiUrl}/console/#/case/${encodeURIComponent(trunkId)}`);
    await support.getByRole('button', { name: 'Approve' }).click();
    await caseWhen(h, trunkId, (c) => c.stage === 'awaiting-customer-whitelist', 'whitelist', 30_000);
    await expect
      .poll(() => support.getByTestId('stage').textContent(), { timeout: 30_000 })
      .toMatch(/Allowlisting|Awaiting customer whitelist/);

    await expect
      .poll(() => ent.getByTestId('stage').textContent(), { timeout: 30_000 })
      .toContain('Awaiting customer whitelist');
    await ent.getByRole('button', { name: 'Confirm whitelist' }).click();
    await expect.poll(() => ent.getByTestId('stage').textContent(), { timeout: 30_000 }).toMatch(/Connectivity/);
    const after = await caseWhen(h, trunkId, (c) => c.stage.startsWith('connectivity'), 'connectivity');
    expect(JSON.stringify(after.steps)).toContain('confirm-whitelist');

    // Cancel asks for confirmation first; keeping the case changes nothing.
    await support.getByRole('button', { name: 'Cancel case' }).click();
    await support.getByRole('button', { name: 'Keep the case' }).click();
    expect((await caseWhen(h, trunkId, () => true)).status).toBe('running');
    await support.getByRole('button', { name: 'Cancel case' }).click();
    await support.getByLabel('Cancellation reason').fill('customer withdrew');
    await support.getByRole('button', { name: 'Confirm cancellation' }).click();
    await expect
      .poll(() => support.locator('dl.facts').first().textContent(), { timeout: 30_000 })
      .toContain('Cancelled');
    const cancelled = await caseWhen(h, trunkId, (c) => c.status === 'cancelled', 'cancelled');
    expect(JSON.stringify(cancelled.steps)).toContain('customer withdrew');
  });

  it('renders every start form from its schema, the catalogue with an eligibility check, and the journey', async () => {
    const page = await signedIn(h.tokens.entB);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const meta = (await (await fetch(`${h.apiUrl}/console/api/meta`)).json()) as {
      kinds: { kind: string; startable: boolean }[];
    };
    const startable = meta.kinds.filter((k) => k.startable && k.kind !== 'enterprise-verification').map((k) => k.kind);
    expect(startable).toEqual(expect.arrayContaining(['number-purchase', 'sip-trunk', 'third-party-line']));
    for (const kind of startable) {
      await page.goto(`${h.apiUrl}/console/#/start/${kind}`);
      await page.getByRole('button', { name: `Submit ${kind.replace(/-/g, ' ')}` }).waitFor({ timeout: 15_000 });
    }
    // The sizing rule is explained as the enterprise types.
    await page.goto(`${h.apiUrl}/console/#/start/number-purchase`);
    await page.getByLabel('Peak concurrent calls').fill('61');
    await expect.poll(() => page.locator('.hint[aria-live]').textContent()).toContain('= 3 number(s)');
    await page.goto(`${h.apiUrl}/console/#/start/third-party-line`);
    await expect.poll(() => page.locator('table.catalogue tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const form = page.getByRole('form', { name: 'Submit third party line' });
    await form.getByLabel('Product id').selectOption('c-fixed');
    await form.getByLabel('Industry').selectOption('lending');
    await form.getByLabel('Scenario').selectOption('inbound');
    await form.getByRole('button', { name: 'Add regions' }).click();
    await form.getByRole('group', { name: 'Regions' }).getByLabel('Region').last().fill('广东');
    await form.getByRole('group', { name: 'Regions' }).getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Check eligibility and quote' }).click();
    await expect.poll(() => page.locator('.panel').last().textContent(), { timeout: 15_000 }).toContain('Not eligible');

    await page.goto(`${h.apiUrl}/console/#/journey`);
    await page.getByRole('heading', { name: 'Journey' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('the checklist says which scans need the seal and links each form and example; the journey links each number proof', async () => {
    const page = await signedIn(h.tokens.entA);
    await page.goto(`${h.apiUrl}/console/#/start/enterprise-verification`);
    await page.getByLabel('Applicant type').selectOption('agent');
    // Seed 002: every scan carries the company seal, except the photo holding the ID.
    await expect.poll(() => page.getByTestId('seal-business-licence').textContent()).toContain('Seal required');
    expect(await page.getByTestId('seal-power-of-attorney').textContent()).toContain('需加盖公司公章');
    expect(await page.getByTestId('seal-agent-holding-id').textContent()).toContain('No seal');
    const template = page.getByRole('link', { name: 'Template (PDF)' });
    expect(await template.count()).toBe(3);
    const form = await page.context().request.get(`${h.apiUrl}${await template.first().getAttribute('href')}`);
    expect(form.status()).toBe(200);
    expect(form.headers()['content-type']).toBe('application/pdf');
    expect((await form.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const examples = page.getByRole('link', { name: 'Example' });
    expect(await examples.count()).toBe(REQUIRED_DOCUMENTS.agent.length);

    // A working number: the journey shows its proof, for a harassment label (seed 003 Q7).
    const instance = await instanceFor(h, h.enterprises.a);
    const customer = (await billingCall<{ id: string }>(h, 'GET', `/v1/customers?enterpriseId=${h.enterprises.a}`))
      .body;
    await billingCall(h, 'POST', `/v1/customers/${customer.id}/credits`, { amountFen: 100_000 });
    const [number] = (await purchasedFixedLine(h, h.enterprises.a, h.tokens.entA, { instanceId: instance.instanceId }))
      .numbers;
    const journey = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .send({ kind: 'enterprise-onboarding', enterpriseId: h.enterprises.a });
    expect(journey.status, JSON.stringify(journey.body)).toBe(202);
    await page.goto(`${h.apiUrl}/console/#/journey`);
    const proof = page.getByRole('link', { name: `${number} 号码证明 (PDF) Number proof` });
    await proof.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('region', { name: '号码证明 Number proof' }).textContent()).toContain('电话邦');
    const pdf = await page.context().request.get(`${h.apiUrl}${await proof.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
  });

  it('an enterprise adds a webhook endpoint, sees its secret once and its failed attempts; support sees its health', async () => {
    const page = await signedIn(h.tokens.entA);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    // A name that never resolves: every delivery is refused, and says so.
    await page.getByLabel('URL').fill('https://hooks-a.invalid/in');
    await page.getByLabel('Description').fill('operations');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Saved it' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'https://hooks-a.invalid/in' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    // Support resends everything since the start: the attempts appear, refused.
    const endpoints = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints`)
      .set('Authorization', `Bearer ${h.tokens.support}`);
    const id = endpoints.body.items[0].id as string;
    const resend = await h.api
      .post(`/v1/enterprises/${h.enterprises.a}/webhook-endpoints/${id}/resend`)
      .set('Authorization', `Bearer ${h.tokens.support}`)
      .send({ after: '0' });
    expect(resend.status).toBe(202);
    await expect
      .poll(() => page.locator('article.endpoint tbody').textContent(), { timeout: 30_000 })
      .toContain('refused: hooks-a.invalid does not resolve');
    expect(await a11y(page)).toEqual([]);
    const support = await signedIn(h.tokens.support);
    await support.goto(`${h.apiUrl}/console/#/webhooks/${encodeURIComponent(h.enterprises.a)}`);
    await expect
      .poll(() => support.locator('article.endpoint').first().textContent(), { timeout: 20_000 })
      .toMatch(/Health:\s*0\/\d+ 成功 succeeded/);
  });

  it('signing out clears the session', async () => {
    const page = await signedIn(h.tokens.entB);
    const context = page.context();
    expect((await context.cookies()).some((c) => c.name === 'console_session')).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect((await context.cookies()).some((c) => c.name === 'console_session')).toBe(false);
    const after = await page.evaluate(async () => (await fetch('/v1/onboardings')).status);
    expect(after).toBe(401);
  });
});
