/** The bench's parts, size profiles and options (flags or `BENCH_*` in the environment). */
import { parseArgs } from 'node:util';
import { driverFor } from './kinds';

export const PARTS = ['throughput', 'latency', 'history', 'scale', 'topology', 'webhooks'] as const;
export type Part = (typeof PARTS)[number];
// The topology part starts the cluster's Temporal server (built with Go once): only when asked for.
const DEFAULT_PARTS: Part[] = ['throughput', 'latency', 'history', 'scale'];
export const PROFILES = {
  default: {
    n: 50,
    concurrency: 16,
    latencyRequests: 200,
    latencyConcurrency: 8,
    scale: 500,
    scaleConcurrency: 16,
    warmup: 3,
  },
  full: {
    n: 500,
    concurrency: 32,
    latencyRequests: 1000,
    latencyConcurrency: 8,
    scale: 10_000,
    scaleConcurrency: 32,
    warmup: 5,
  },
};

export interface Options {
  profile: keyof typeof PROFILES;
  parts: Part[];
  kinds: string[];
  n: number;
  concurrency: number;
  latencyRequests: number;
  latencyConcurrency: number;
  scale: number;
  scaleConcurrency: number;
  warmup: number;
  /** The product worker's sticky cache; default the product's (WORKER_MAX_CACHED_WORKFLOWS). */
  cache: number | undefined;
  write: boolean;
}

export function options(): Options {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      kinds: { type: 'string' },
      n: { type: 'string' },
      concurrency: { type: 'string' },
      'latency-requests': { type: 'string' },
      'latency-concurrency': { type: 'string' },
      scale: { type: 'string' },
      'scale-concurrency': { type: 'string' },
      warmup: { type: 'string' },
      cache: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const env = process.env;
  const profile = values.full || env.BENCH_FULL === '1' ? 'full' : 'default';
  const p = PROFILES[profile];
  const num = (flag: string | undefined, envName: string, fallback: number) => {
    const raw = flag ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${envName} / flag must be a positive whole number, got ${raw}`);
    return value;
  };
  const parts = (values.only ?? env.BENCH_ONLY ?? DEFAULT_PARTS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts)
    if (!PARTS.includes(part as Part)) throw new Error(`unknown part ${part}; parts: ${PARTS.join(', ')}`);
  const kinds = (values.kinds ?? env.BENCH_KINDS ?? 'enterprise-verification,number-purchase,sip-trunk')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  kinds.forEach(driverFor);
  return {
    profile,
    parts: parts as Part[],
    kinds,
    n: num(values.n, 'BENCH_N', p.n),
    concurrency: num(values.concurrency, 'BENCH_CONCURRENCY', p.concurrency),
    latencyRequests: num(values['latency-requests'], 'BENCH_LATENCY_REQUESTS', p.latencyRequests),
    latencyConcurrency: num(values['latency-concurrency'], 'BENCH_LATENCY_CONCURRENCY', p.latencyConcurrency),
    scale: num(values.scale, 'BENCH_SCALE', p.scale),
    scaleConcurrency: num(values['scale-concurrency'], 'BENCH_SCALE_CONCURRENCY', p.scaleConcurrency),
    warmup: num(values.warmup, 'BENCH_WARMUP', p.warmup),
    cache: (values.cache ?? env.BENCH_CACHE) ? num(values.cache, 'BENCH_CACHE', 1) : undefined,
    write: !values['no-write'] && env.BENCH_NO_WRITE !== '1',
  };
}

export const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
