/**
 * Papers as PDF: the qualification templates and examples (`GET /v1/templates/{template}`) and the
 * number proof (`GET /v1/numbers/{number}/proof`). Templates are made out to the asking
 * enterprise's company (support names one with `?enterpriseId=`); another tenant's is a 404, like
 * every other resource of theirs. A number's proof is its owner's and support's.
 */
import type { Response, Router } from 'express';
import { z } from 'zod';
import { enterpriseIdSchema } from '../domain/common';
import { isTemplateName, MATERIALS } from '../domain/materials';
import { formatNumber } from '../domain/numbers';
import { DOCUMENT_KINDS, type DocumentKind, type VerificationResult } from '../domain/verification';
import { requireRole } from './auth';
import type { BillingNumbers } from './billing-numbers';
import { numberParam } from './numbers';
import { renderMaterialExample, renderNumberProof, renderTemplate, type PaperCompany } from './pdf';
import { HttpProblem, parseOr400 } from './problem';
import { errors, jsonSchema, type Json } from './openapi-parts';

export interface PaperDeps {
  /** The company an enterprise gave in its real-name or qualification case, if any. */
  companyOf(enterpriseId: string): Promise<PaperCompany | undefined>;
  approvedVerification(enterpriseId: string): Promise<VerificationResult>;
  billing: BillingNumbers;
  now(): number;
}

const templateQuery = z.strictObject({
  example: z.enum(['1', 'true', '0', 'false']).optional().describe('1: the filled-in example instead of the form'),
  enterpriseId: enterpriseIdSchema.optional().describe('support: the enterprise the form is made out to'),
});

/** A number's status in billing, as its proof states it. */
const PROOF_STATUS: Record<string, { zh: string; en: string } | undefined> = {
  sold: { zh: '在用', en: 'in service' },
};

function sendPdf(res: Response, filename: string, pdf: Buffer): void {
  res
    .status(200)
    .type('application/pdf')
    .set('Content-Disposition', `inline; filename="${filename}"`)
    .set('Cache-Control', 'private, no-store')
    .send(pdf);
}

export function mountPaperRoutes(v1: Router, deps: PaperDeps): void {
  v1.get('/templates/:template', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const name = String(req.params.template);
    const query = parseOr400(templateQuery, req.query, 'query');
    const example = query.example === '1' || query.example === 'true';
    if (principal.role === 'enterprise' && query.enterpriseId && query.enterpriseId !== principal.enterpriseId)
      throw new HttpProblem(404, 'Not found', `no enterprise ${query.enterpriseId}`);
    // Materials without a template have an example only.
    if (example && !isTemplateName(name) && (DOCUMENT_KINDS as readonly string[]).includes(name)) {
      sendPdf(res, `${name}-example.pdf`, await renderMaterialExample(name as DocumentKind));
      return;
    }
    if (!isTemplateName(name))
      throw new HttpProblem(
        404,
        'Not found',
        `no template ${name}; templates: ${Object.values(MATERIALS)
          .flatMap((m) => m.template ?? [])
          .join(', ')}`,
      );
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId : query.enterpriseId;
    const company = example || !enterpriseId ? undefined : await deps.companyOf(enterpriseId);
    sendPdf(res, `${name}${example ? '-example' : ''}.pdf`, await renderTemplate(name, company, example));
  });

  v1.get('/numbers/:number/proof', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const number = parseOr400(numberParam, req.params.number, 'number');
    const notFound = new HttpProblem(404, 'Not found', `no number ${number} of yours in service`);
    const record = await deps.billing.number(number);
    const status = record ? PROOF_STATUS[record.status] : undefined;
    if (!record?.customerId || !record.orderId || !status) throw notFound;
    const customer = await deps.billing.customer(record.customerId);
    // Another tenant's number reads as absent.
    if (!customer || (principal.role === 'enterprise' && customer.enterpriseId !== principal.enterpriseId))
      throw notFound;
    const verification = await deps.approvedVerification(customer.enterpriseId).catch(() => undefined);
    const order = await deps.billing.order(record.orderId);
    if (!verification || !order?.paidAt) throw notFound;
    const display = formatNumber(number);
    const today = new Date(deps.now()).toISOString().slice(0, 10);
    sendPdf(
      res,
      `number-proof-${display}.pdf`,
      await renderNumberProof({
        number: display,
        company: {
          name: verification.company.name,
          unifiedSocialCreditCode: verification.company.unifiedSocialCreditCode,
        },
        inServiceSince: order.paidAt.slice(0, 10),
        status,
        issuedAt: today,
        reference: `${order.id}/${display}`,
      }),
    );
  });
}

const pdf = (description: string) => ({
  description,
  content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
});

/** OpenAPI paths of these routes. */
export const paperOpenApi = {
  paths: {
    '/v1/templates/{template}': {
      get: {
        operationId: 'getTemplate',
        summary:
          "A qualification form to print, seal and upload, made out to the enterprise's company (support: `enterpriseId`); `example=1` its filled-in example (also for materials without a form)",
        parameters: [
          {
            name: 'template',
            in: 'path',
            required: true,
            description: `a form (${Object.values(MATERIALS)
              .flatMap((m) => m.template ?? [])
              .join(', ')}), or with example=1 any material kind`,
            schema: { type: 'string' },
          },
          { name: 'example', in: 'query', required: false, schema: jsonSchema(templateQuery.shape.example.unwrap()) },
          { name: 'enterpriseId', in: 'query', required: false, schema: jsonSchema(enterpriseIdSchema) },
        ],
        responses: { 200: pdf('the form or example as PDF'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/numbers/{number}/proof': {
      get: {
        operationId: 'getNumberProof',
        summary:
          'A number proof (号码证明): the number, its holder and code, in service since, status (owner and support)',
        parameters: [
          {
            name: 'number',
            in: 'path',
            required: true,
            description: 'e.g. 020-66240011 or 4008200001',
            schema: { type: 'string' },
          },
        ],
        responses: { 200: pdf('the proof as PDF'), ...errors(400, 401, 403, 404, 503) },
      },
    },
  } as Json,
};
