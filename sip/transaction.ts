/** What a test call's steps wait on and send: its inbound messages, and requests repeated on UDP. */
import { performance } from 'node:perf_hooks';
import type { Peer, SipEndpoint } from './endpoint';
import type { SipMessage } from './message';
import { T1_MS, T2_MS } from './options';

export type Inbound = { message: SipMessage; from: Peer };

/** A queue of inbound messages that the call's steps wait on with deadlines. */
export class Inbox {
  private readonly queue: Inbound[] = [];
  private wake: (() => void) | undefined;

  push(item: Inbound): void {
    this.queue.push(item);
    this.wake?.();
  }

  async next(deadline: number): Promise<Inbound | undefined> {
    for (;;) {
      const item = this.queue.shift();
      if (item) return item;
      const wait = deadline - performance.now();
      if (wait <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** Sends a request and repeats it on UDP until stopped (timer A for INVITE, timer E otherwise). */
export class Retransmitter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly text: string,
    private readonly to: Peer,
    private readonly invite: boolean,
  ) {}

  start(): void {
    this.send();
    if (this.endpoint.transport !== 'udp') return;
    let interval = T1_MS;
    const tick = () => {
      if (this.stopped) return;
      this.send();
      interval = this.invite ? interval * 2 : Math.min(interval * 2, T2_MS);
      this.timer = setTimeout(tick, interval);
    };
    this.timer = setTimeout(tick, interval);
  }

  /** Non-INVITE requests keep going at T2 once a provisional response arrived. */
  slow(): void {
    if (this.invite || this.stopped || this.endpoint.transport !== 'udp') return;
    clearTimeout(this.timer);
    const tick = () => {
      if (this.stopped) return;
      this.send();
      this.timer = setTimeout(tick, T2_MS);
    };
    this.timer = setTimeout(tick, T2_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private send(): void {
    this.endpoint.send(this.text, this.to).catch(() => undefined);
  }
}
