/**
 * A sandbox's state as one JSON file: changed in memory, written atomically after each change
 * (queued writes coalesce), with a bounded log of the requests it answered. Billing and the
 * contact-center platform keep their state this way; each adds its own data shape.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const REQUEST_LOG_LIMIT = 10_000;

/** A random hex id behind a type prefix, which makes ids self-describing in logs; each sandbox writes them as its system does. */
export function prefixedId(prefix: string, separator: '_' | '-', bytes: number): string {
  return `${prefix}${separator}${randomBytes(bytes).toString('hex')}`;
}

/** The first response to a write, kept so a retry with the same key gets the same answer. */
export interface IdempotencyRecord {
  key: string;
  method: string;
  path: string;
  /** Hash of method, path and body (secrets hashed first): a reused key with anything else is refused. */
  fingerprint: string;
  status: number;
  contentType: string;
  body: unknown;
  createdAt: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** Null when no response was given (a simulated timeout). */
  status: number | null;
  replayed: boolean;
  fault: 'failure' | 'timeout' | null;
  at: string;
}

/** A sandbox's collections, each a map by id, from the record each holds. */
export type Collections<T> = { [K in keyof T]: Record<string, T[K]> };

/** What a sandbox's state holds for the protocol: the stored answers and the request log. */
export interface ProtocolData {
  version: number;
  idempotency: Record<string, IdempotencyRecord>;
  requests: RequestLogEntry[];
}

/**
 * A map keyed by client-supplied strings (ids, idempotency keys): without a prototype, a key
 * such as `__proto__` or `constructor` is an ordinary key and never an inherited member.
 */
export function dict<T>(entries: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** The file's text, or undefined when there is no file yet (a new, empty store). */
export function readDataFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

/**
 * The file's state as written by this sandbox or an older one: an object whose version is not
 * newer than `version`. Collections missing from older files are the caller's to fill in.
 */
export function parseDataFile<D>(text: string, file: string, label: string, version: number): Partial<D> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label} data file ${file} is not valid JSON`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${label} data file ${file} does not hold an object`);
  }
  const found = (raw as { version?: unknown }).version;
  if (typeof found === 'number' && found > version) {
    throw new Error(`${label} data file ${file} has version ${found}, newer than this sandbox (${version})`);
  }
  return raw as Partial<D>;
}

/**
 * Reads a store's file: a missing file is an empty store, a corrupt one an error (never reset);
 * `complete` fills in the collections missing from older files (or from a new one).
 */
export function readStoreFile<D>(
  file: string,
  label: string,
  version: number,
  complete: (data: Partial<D>) => D,
): { file: string; data: D } {
  const resolved = path.resolve(file);
  const text = readDataFile(resolved);
  return { file: resolved, data: complete(text === undefined ? {} : parseDataFile<D>(text, resolved, label, version)) };
}

/**
 * A store's data read back from a file written by this sandbox or an older one: each named
 * collection (a map by id) and the protocol's records, with those missing starting empty.
 */
export function completeData<D extends ProtocolData>(
  data: Partial<D>,
  version: number,
  collections: readonly (keyof D & string)[],
  fields: Partial<D> = {},
): D {
  const maps = collections.map((name) => [name, dict(data[name] as Record<string, unknown> | undefined)]);
  return {
    version,
    ...fields,
    ...Object.fromEntries(maps),
    idempotency: dict(data.idempotency),
    requests: requestLogOf(data.requests),
  } as D;
}

/** The request log read back from a file, at most as long as the store keeps it. */
export function requestLogOf(requests: unknown): RequestLogEntry[] {
  return Array.isArray(requests) ? (requests.slice(-REQUEST_LOG_LIMIT) as RequestLogEntry[]) : [];
}

export class JsonFileStore<D extends { requests: E[] }, E = RequestLogEntry> {
  private state: D;
  /** Settles when the last scheduled write has finished, successfully or not. */
  private writing: Promise<void> = Promise.resolve();
  /** A write waiting for the current one; later changes join it instead of queueing more. */
  private queued: Promise<void> | undefined;

  protected constructor(
    readonly file: string,
    state: D,
    /** Names the sandbox in its error messages. */
    private readonly label: string,
  ) {
    this.state = state;
  }

  /** The live state, for reading only; change it through `update()`. */
  get data(): Readonly<D> {
    return this.state;
  }

  /**
   * Applies `change` (synchronously, so nothing else runs in between) and resolves once the result
   * is on disk. If the write fails the change stays in memory and goes out with the next write.
   */
  async update<T>(change: (data: D) => T): Promise<T> {
    const result = change(this.state);
    await this.flush();
    return result;
  }

  /** Appends to the request log (bounded); written with the next flush, which it also schedules. */
  logRequest(entry: E): void {
    const log = this.state.requests;
    log.push(entry);
    if (log.length > REQUEST_LOG_LIMIT) log.splice(0, log.length - REQUEST_LOG_LIMIT);
    this.flush().catch((error: unknown) => {
      console.error(`${this.label}: could not write ${this.file}:`, error);
    });
  }

  /** Writes the current state after any write in progress; resolves when it is on disk. */
  flush(): Promise<void> {
    if (!this.queued) {
      const next = this.writing.then(() => {
        // From here on, new changes need a write of their own: this one snapshots now.
        this.queued = undefined;
        return this.writeFile(JSON.stringify(this.state, null, 2));
      });
      this.queued = next;
      this.writing = next.catch(() => undefined);
    }
    return this.queued;
  }

  private async writeFile(text: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await fs.promises.open(temp, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        // Flushed before the rename, so a crash leaves the old file or the new one, never half.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temp, this.file);
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
  }
}
