/**
 * Reading onboarding cases: a case, the lists and the journey, from what the Temporal server holds
 * (descriptions, memos and search attributes), so reads answer with every worker stopped. A case
 * started before cases kept their state in the memo is read with its query instead.
 */
import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { Config } from '../config';
import { caseLinks } from '../domain/links';
import { errorView, type OnboardingSummary as AnySummary } from '../domain/onboarding';
import { shapeOf } from '../contract/kinds';
import type { JourneyView } from '../domain/journey';
import {
  CASE_VIEW_MEMO,
  journeyIdOf,
  reportQuery,
  stateQuery,
  type CaseReport,
  type CaseState,
  type CaseStatus,
  type CaseView,
  type OnboardingKind,
  type OnboardingResource,
  type Role,
} from '../contract/case';
import { AwaitingRoleKey, EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import type { Principal } from './auth';
import { HttpProblem } from './problem';

type OnboardingSummary = AnySummary<OnboardingKind>;

/** What the API keeps in a case's memo (a type, not an interface: a memo is a plain record). */
export type CaseMemo = {
  kind: OnboardingKind;
  enterpriseId: string;
  requestHash: string;
  idempotencyKey?: string;
  createdBy: string;
  /** Facts of the start body later actions are checked against (e.g. a supplier line's product). */
  facts?: Record<string, string>;
};

export const STATUS_FROM_TEMPORAL: Record<string, CaseStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  CONTINUED_AS_NEW: 'completed',
  FAILED: 'failed',
  TERMINATED: 'failed',
  TIMED_OUT: 'failed',
  CANCELLED: 'cancelled',
};

const STATUS_TO_QUERY: Record<CaseStatus, string> = {
  running: `ExecutionStatus = 'Running'`,
  completed: `ExecutionStatus = 'Completed'`,
  failed: `(ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut')`,
  cancelled: `ExecutionStatus = 'Canceled'`,
};

export interface ListFilters {
  kind?: OnboardingKind;
  /** Journeys waiting past their time (on the enterprise or on support), or on track. */
  stalled?: boolean;
  status?: CaseStatus;
  stage?: string;
  awaiting?: Role;
  enterpriseId?: string;
  limit: number;
}

/** How long a journey seen running is taken to still run (journeys last for years). */
const JOURNEY_SEEN_MS = 60_000;

/** Cases a journey adopts when it starts: the enterprise's most recent ones. */
const ADOPTED_CASES = 200;

export class CaseReads {
  private readonly journeysSeen = new Map<string, number>();

  constructor(
    protected readonly client: Client,
    protected readonly config: Config,
  ) {}

  /** The enterprise's running journey, which a new case reports to. */
  async journeyOf(enterpriseId: string): Promise<string | undefined> {
    const id = journeyIdOf(enterpriseId);
    if ((this.journeysSeen.get(enterpriseId) ?? 0) > Date.now()) return id;
    const d = await this.describe(id);
    if (d?.status.name !== 'RUNNING') return undefined;
    this.journeysSeen.set(enterpriseId, Date.now() + JOURNEY_SEEN_MS);
    return id;
  }

  /** The enterprise's journey as one view: milestones, instances, working numbers, who acts next. */
  async journey(enterpriseId: string): Promise<JourneyView> {
    const id = journeyIdOf(enterpriseId);
    const description = await this.describe(id);
    if (!description) throw new HttpProblem(404, 'Not found', `enterprise ${enterpriseId} has no journey; start ${id}`);
    const state = await this.read(id, description);
    const summary = (state.kind === 'enterprise-onboarding' ? state.result : null) ?? {
      milestones: [],
      instances: [],
      numbers: [],
      cases: [],
      stalledOn: null,
    };
    return {
      id,
      enterpriseId,
      status: state.status,
      stage: state.stage,
      ...summary,
      next: state.awaiting,
      links: state.links,
    };
  }

  /** How a case stands (`undefined`: no such case). */
  async caseStatus(id: string): Promise<CaseStatus | undefined> {
    const d = await this.describe(id);
    return d && (STATUS_FROM_TEMPORAL[d.status.name] ?? 'running');
  }

  /**
   * The enterprise's cases as a journey adopting them needs them: each one's own report, or, for a
   * case that cannot answer, what visibility says of it.
   */
  async reportsOf(enterpriseId: string): Promise<CaseReport[]> {
    const infos: WorkflowExecutionInfo[] = [];
    for await (const info of this.client.workflow.list({
      // Usage billing follows the numbers on its own; the journey does not adopt it.
      query: `EnterpriseId = '${enterpriseId}' AND OnboardingKind IS NOT NULL AND OnboardingKind NOT IN ('enterprise-onboarding', 'usage-billing')`,
      pageSize: 100,
    })) {
      infos.push(info);
      if (infos.length >= ADOPTED_CASES) break;
    }
    return Promise.all(
      infos.map(async (info): Promise<CaseReport> => {
        const handle = this.client.workflow.getHandle(info.workflowId);
        const report = await withTimeout(handle.query(reportQuery), 5_000).catch(() => undefined);
        const view = viewOf(info);
        return (
          report ??
          (view && reportOfView(view)) ?? {
            caseId: info.workflowId,
            enterpriseId,
            kind: info.typedSearchAttributes.get(OnboardingKindKey) as OnboardingKind,
            status: STATUS_FROM_TEMPORAL[info.status.name] ?? 'running',
            stage: info.typedSearchAttributes.get(OnboardingStageKey) ?? 'unknown',
            awaiting: [],
            at: (info.closeTime ?? info.startTime).getTime(),
            seq: 0,
          }
        );
      }),
    );
  }

  async describe(id: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.client.workflow.getHandle(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The case if this principal may see it; another tenant's case is as good as absent (404). */
  async authorise(
    id: string,
    principal: Principal,
  ): Promise<{ description: WorkflowExecutionDescription; memo: CaseMemo }> {
    const description = await this.describe(id);
    const memo = description && memoOf(description);
    if (!description || !memo || (principal.role === 'enterprise' && memo.enterpriseId !== principal.enterpriseId)) {
      throw new HttpProblem(404, 'Not found', `no onboarding ${id}`);
    }
    return { description, memo };
  }

  /**
   * The case as the API shows it: its own state, as its memo holds it, beside its description (how
   * Temporal says it ended, when it started): one describe. A case without that memo (started
   * before it, or too large for it) answers its query, which works on closed cases too.
   */
  async read(id: string, known?: WorkflowExecutionDescription): Promise<OnboardingResource> {
    const handle = this.client.workflow.getHandle(id);
    const description = known ?? (await handle.describe());
    const state =
      viewOf(description)?.state ?? (await withTimeout(handle.query(stateQuery), 5_000).catch(() => undefined));
    return this.resource(id, description, state);
  }

  private async resource(
    id: string,
    description: WorkflowExecutionDescription,
    state: CaseState | undefined,
  ): Promise<OnboardingResource> {
    const memo = memoOf(description);
    const status = STATUS_FROM_TEMPORAL[description.status.name] ?? 'running';
    const base: CaseState = state ?? {
      id,
      kind: memo?.kind ?? (description.typedSearchAttributes.get(OnboardingKindKey) as OnboardingKind),
      enterpriseId: memo?.enterpriseId ?? description.typedSearchAttributes.get(EnterpriseIdKey) ?? '',
      status,
      stage: description.typedSearchAttributes.get(OnboardingStageKey) ?? 'unknown',
      awaiting: [],
      steps: [],
      related: [],
      result: null,
      error: null,
    };
    // Related cases carry their live stage and status, read from visibility-backed descriptions.
    const related = await Promise.all(
      (base.related ?? []).map(async (r) => {
        const d = await this.describe(r.id).catch(() => undefined);
        return d
          ? {
              ...r,
              stage: d.typedSearchAttributes.get(OnboardingStageKey) ?? r.stage,
              status: STATUS_FROM_TEMPORAL[d.status.name] ?? r.status,
            }
          : r;
      }),
    );
    return asResource(
      {
        ...base,
        related,
        id,
        // Temporal's word is final on how the case ended (e.g. terminated by an operator).
        status,
        error:
          base.error ??
          (status === 'failed'
            ? { type: 'Failed', message: `the workflow ${description.status.name.toLowerCase()}` }
            : null),
      },
      description.startTime.toISOString(),
      this.links(id),
    );
  }

  async list(filters: ListFilters, principal: Principal): Promise<OnboardingSummary[]> {
    const clauses: string[] = [`OnboardingKind IS NOT NULL`];
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId : filters.enterpriseId;
    if (enterpriseId) clauses.push(`EnterpriseId = '${enterpriseId}'`);
    if (filters.kind) clauses.push(`OnboardingKind = '${filters.kind}'`);
    if (filters.stage) clauses.push(`OnboardingStage = '${filters.stage}'`);
    if (filters.awaiting) clauses.push(`AwaitingRole = '${filters.awaiting}'`);
    if (filters.status) clauses.push(STATUS_TO_QUERY[filters.status]);
    if (filters.stalled !== undefined)
      clauses.push(filters.stalled ? `StalledOn IN ('enterprise', 'support')` : `StalledOn IS NULL`);
    const out: OnboardingSummary[] = [];
    for await (const info of this.client.workflow.list({
      query: clauses.join(' AND '),
      pageSize: Math.min(filters.limit, 100),
    })) {
      out.push(this.summary(info));
      if (out.length >= filters.limit) break;
    }
    return out;
  }

  private summary(info: WorkflowExecutionInfo): OnboardingSummary {
    const sa = info.typedSearchAttributes;
    const awaiting = sa.get(AwaitingRoleKey);
    return {
      id: info.workflowId,
      kind: sa.get(OnboardingKindKey) as OnboardingKind,
      enterpriseId: sa.get(EnterpriseIdKey) ?? '',
      status: STATUS_FROM_TEMPORAL[info.status.name] ?? 'running',
      stage: sa.get(OnboardingStageKey) ?? 'unknown',
      awaitingRole: (awaiting as Role | undefined) ?? null,
      createdAt: info.startTime.toISOString(),
      closedAt: info.closeTime?.toISOString() ?? null,
      links: this.links(info.workflowId),
    };
  }

  links(id: string): { self: string; temporalUi: string } {
    const l = caseLinks(this.config, id);
    return { self: `/v1/onboardings/${encodeURIComponent(id)}`, temporalUi: l.temporalUi };
  }
}

/** A case's state as the API answers it: with its start time and links, its error with its cause. */
export function asResource(
  state: CaseState,
  createdAt: string,
  links: { self: string; temporalUi: string },
): OnboardingResource {
  const { error, ...rest } = state;
  return { ...rest, error: error && errorView(error, shapeOf(state.kind).failures, state.status), createdAt, links };
}

export function memoOf(d: WorkflowExecutionDescription | WorkflowExecutionInfo): CaseMemo | undefined {
  const memo = d.memo as Partial<CaseMemo> | undefined;
  return memo?.kind && memo.enterpriseId ? (memo as CaseMemo) : undefined;
}

/** The report a case kept in its memo (for a case that cannot answer its query). */
function reportOfView({ state, report }: Extract<CaseView, { state: object }>): CaseReport {
  const { id: caseId, enterpriseId, kind, status, stage, awaiting } = state;
  return { ...report, caseId, enterpriseId, kind, status, stage, awaiting };
}

/** The state the case keeps in its memo, when it keeps one. */
export function viewOf(
  d: WorkflowExecutionDescription | WorkflowExecutionInfo,
): Extract<CaseView, { state: object }> | undefined {
  const view = d.memo?.[CASE_VIEW_MEMO] as CaseView | undefined;
  return view?.v === 1 && view.state ? view : undefined;
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
