/**
 * The automatic approver: a loop that asks the API for cases awaiting support
 * (`GET /v1/onboardings?awaiting=support`, a Temporal visibility query) and takes, through the
 * API, the step the kind's driver names for the case's stage.
 */
import type { OnboardingKind } from '../contract/kinds';
import type { OnboardingSummary as AnySummary } from '../domain/onboarding';

type OnboardingSummary = AnySummary<OnboardingKind>;
import type { BenchContext, KindDriver } from './kinds';
import { sleep } from './util';

export class AutoApprover {
  /** Steps taken (200), and answers that the step was no longer awaited (409: a stale listing). */
  readonly counts = { polls: 0, taken: 0, conflicts: 0, errors: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  /** `<id> <stage>` already acted on, so a listing that lags behind does not repeat a step. */
  private readonly acted = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly ctx: BenchContext,
    private readonly drivers: KindDriver[],
    private readonly options: { intervalMs?: number; maxInFlight?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    while (this.inFlight > 0) await sleep(20);
  }

  private async run(): Promise<void> {
    const byKind = new Map(this.drivers.map((d) => [d.kind, d]));
    const maxInFlight = this.options.maxInFlight ?? 16;
    while (this.running) {
      try {
        this.counts.polls++;
        const res = await this.ctx.api.call<{ items: OnboardingSummary[] }>(
          'GET',
          '/v1/onboardings?awaiting=support&status=running&limit=500',
          this.ctx.supportToken,
        );
        for (const item of res.status === 200 ? res.body.items : []) {
          const step = byKind.get(item.kind)?.supportSteps[item.stage];
          const key = `${item.id} ${item.stage}`;
          if (!step || this.acted.has(key)) continue;
          this.acted.add(key);
          while (this.inFlight >= maxInFlight) await sleep(5);
          this.inFlight++;
          void this.ctx.api
            .call('POST', `/v1/onboardings/${item.id}/actions/${step.action}`, this.ctx.supportToken, step.payload)
            .then(
              (r) => {
                if (r.status === 200) this.counts.taken++;
                else if (r.status === 409) this.counts.conflicts++;
                else {
                  this.counts.errors++;
                  // Let a later poll try again.
                  this.acted.delete(key);
                }
              },
              () => {
                this.counts.errors++;
                this.acted.delete(key);
              },
            )
            .finally(() => this.inFlight--);
        }
      } catch {
        this.counts.errors++;
      }
      await sleep(this.options.intervalMs ?? 200);
    }
  }
}
