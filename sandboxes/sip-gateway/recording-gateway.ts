/**
 * A SIP gateway that records assignments in a JSON file: what the development profile and tests
 * use where no SBC runs. It enforces what a real SBC would: a number serves one instance.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { numberTaken, type AssignedNumber, type NumberAssignment, type SipGateway } from '../../activities/sip-gateway';

export class RecordingSipGateway implements SipGateway {
  readonly mode = 'recording';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  assignNumbers(a: NumberAssignment): Promise<AssignedNumber[]> {
    return this.change((rows) => {
      for (const number of a.numbers) {
        const existing = rows.find((r) => r.number === number);
        if (existing && existing.reference !== a.reference) throw numberTaken(number, `instance ${existing.instanceId}, case ${existing.reference}`);
      }
      const at = new Date().toISOString();
      const { numbers, ...rest } = a;
      const kept = rows.filter((r) => !numbers.includes(r.number));
      const added = numbers.map((number) => ({ ...rest, number, assignedAt: rows.find((r) => r.number === number)?.assignedAt ?? at }));
      return { rows: [...kept, ...added], result: added };
    });
  }

  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    return this.change((rows) => {
      const removed = rows.filter((r) => input.numbers.includes(r.number) && r.reference === input.reference).map((r) => r.number);
      return { rows: rows.filter((r) => !removed.includes(r.number)), result: { removed } };
    });
  }

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    await this.queue;
    return (await this.read()).filter((r) => (!filter.instanceId || r.instanceId === filter.instanceId) && (!filter.number || r.number === filter.number));
  }

  /** Serialised read-modify-write, written atomically. */
  private change<T>(fn: (rows: AssignedNumber[]) => { rows: AssignedNumber[]; result: T }): Promise<T> {
    const run = this.queue.then(async () => {
      const { rows, result } = fn(await this.read());
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(rows, null, 1));
      await rename(tmp, this.file);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<AssignedNumber[]> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as AssignedNumber[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
