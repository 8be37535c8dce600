/**
 * Usage billing from the API's side: it starts the enterprise's `usage-billing` case when the
 * enterprise's first number case starts (the case's own id makes it one per enterprise, so any
 * later start finds it running), and reads its statements.
 */
import type { Router } from 'express';
import type { z } from 'zod';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../config';
import { stateQuery, type OnboardingKind } from '../contract/case';
import { usageBillingId } from '../domain/ids';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import { chinaMonthOf, type RatedMonth, type UsageStatement } from '../domain/usage';
import type { VerificationResult } from '../domain/verification';
import { usageBilling, type UsageBillingView } from '../workflows/usage-billing';
import { enterpriseInPath } from './auth';
import { HttpProblem, parseOr400 } from './problem';
import { currentUsageSchema, usageMonthParam, usageStatementSchema, usageStatementsSchema } from './schemas';
import { answering, enterpriseParam, jsonSchema, operation, type Json } from './openapi-parts';

/** Kinds that bring numbers into service: the first of them starts the enterprise's usage billing. */
export const NUMBER_KINDS: ReadonlySet<OnboardingKind> = new Set([
  'number-purchase',
  'own-400-landing',
  'sip-trunk',
  'sip-registration',
  'third-party-line',
]);

export class UsageBillingService {
  /** Enterprises whose usage billing this API has seen running (it runs for years). */
  private readonly started = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly config: Config,
    private readonly approvedVerification: (enterpriseId: string) => Promise<VerificationResult>,
    private readonly now: () => number,
    /** Rates a month from the SBC's records as the usage activity does (reads only, charges nothing). */
    private readonly rateMonth: (input: { enterpriseId: string; month: string }) => Promise<RatedMonth>,
  ) {}

  /**
   * Starts the enterprise's usage billing unless it runs already (conflict policy USE_EXISTING:
   * concurrent first number cases on two APIs end up with one case). Its first month is the
   * current one in China time.
   */
  async ensureStarted(enterpriseId: string): Promise<void> {
    if (this.started.has(enterpriseId)) return;
    const verification = await this.approvedVerification(enterpriseId);
    await this.client.workflow.start(usageBilling, {
      workflowId: usageBillingId(enterpriseId),
      taskQueue: this.config.temporal.taskQueue,
      args: [
        {
          enterpriseId,
          customerId: verification.billingCustomerId,
          companyName: verification.company.name,
          contactEmail: verification.contact.email,
          nextMonth: chinaMonthOf(this.now()),
          statements: [],
          carriedSteps: [],
          timings: this.config.timings.usage,
        },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { kind: 'usage-billing', enterpriseId, requestHash: '', createdBy: 'api:first-number-case' },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: EnterpriseIdKey, value: enterpriseId },
        { key: OnboardingKindKey, value: 'usage-billing' },
        { key: OnboardingStageKey, value: 'metering' },
      ]),
      staticSummary: `usage-billing for ${enterpriseId}`,
    });
    this.started.add(enterpriseId);
  }

  /** The case's statements and next billing; an enterprise without numbers yet has none. */
  async view(enterpriseId: string): Promise<z.output<typeof usageStatementsSchema>> {
    const caseId = usageBillingId(enterpriseId);
    let result: UsageBillingView | null = null;
    try {
      const state = await this.client.workflow.getHandle(caseId).query(stateQuery);
      if (state.kind === 'usage-billing') result = state.result;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    return {
      enterpriseId,
      caseId,
      nextMonth: result?.nextMonth ?? null,
      billsAt: result?.billsAt ?? null,
      items: result?.statements ?? [],
    };
  }

  /** The current month so far, rated now: what its statement will show if nothing else happens. */
  async current(enterpriseId: string): Promise<z.output<typeof currentUsageSchema>> {
    const month = chinaMonthOf(this.now());
    const [rated, view] = await Promise.all([this.rateMonth({ enterpriseId, month }), this.view(enterpriseId)]);
    return {
      month,
      provisional: true,
      observable: rated.observable,
      calls: rated.calls,
      minutes: rated.minutes,
      amountFen: rated.amountFen,
      lines: rated.lines,
      unfinishedCalls: rated.unfinishedCalls,
      ...(rated.unreconciled ? { unreconciled: rated.unreconciled } : {}),
      ratedAt: rated.ratedAt,
      billsAt: view.nextMonth === month ? view.billsAt : null,
    };
  }

  async statement(enterpriseId: string, month: string): Promise<UsageStatement> {
    const found = (await this.view(enterpriseId)).items.find((s) => s.month === month);
    if (!found) throw new HttpProblem(404, 'Not found', `no usage statement for ${month}`);
    return found;
  }
}

export function mountUsageRoutes(v1: Router, usage: UsageBillingService): void {
  const base = '/enterprises/:enterpriseId/usage-statements';
  v1.get(base, async (req, res) => {
    res.json(await usage.view(enterpriseInPath(req).enterpriseId));
  });
  // Before `/:month`, which would refuse the word as a month.
  v1.get(`${base}/current`, async (req, res) => {
    res.json(await usage.current(enterpriseInPath(req).enterpriseId));
  });
  v1.get(`${base}/:month`, async (req, res) => {
    const { enterpriseId } = enterpriseInPath(req);
    const month = parseOr400(usageMonthParam, req.params.month, 'month');
    res.json(await usage.statement(enterpriseId, month));
  });
}

/** OpenAPI components and paths of these routes. */
export const usageOpenApi = {
  schemas: {
    UsageStatement: jsonSchema(usageStatementSchema, 'output'),
    UsageStatements: jsonSchema(usageStatementsSchema, 'output'),
    CurrentUsage: jsonSchema(currentUsageSchema, 'output'),
  } as Json,
  paths: {
    '/v1/enterprises/{enterpriseId}/usage-statements': {
      get: operation({
        operationId: 'listUsageStatements',
        summary:
          "The enterprise's monthly call-charge statements (the last 24) and when the next month is billed (owner or support; another tenant's: 404)",
        parameters: [enterpriseParam],
        ok: answering('UsageStatements', 'the statements, oldest first'),
      }),
    },
    '/v1/enterprises/{enterpriseId}/usage-statements/current': {
      get: operation({
        operationId: 'getCurrentUsage',
        summary:
          "The current month so far (China time), rated now from the SBC's records by each number's origin; provisional, charged after the month closes (owner or support; another tenant's: 404)",
        parameters: [enterpriseParam],
        ok: answering('CurrentUsage', 'the month so far'),
      }),
    },
    '/v1/enterprises/{enterpriseId}/usage-statements/{month}': {
      get: operation({
        operationId: 'getUsageStatement',
        summary: "One month's itemised statement: per number and direction, calls, minutes and amount in fen",
        parameters: [
          enterpriseParam,
          { name: 'month', in: 'path', required: true, description: 'YYYY-MM', schema: jsonSchema(usageMonthParam) },
        ],
        ok: answering('UsageStatement', 'the statement'),
      }),
    },
  } as Json,
};
