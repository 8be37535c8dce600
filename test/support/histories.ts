/**
 * Workflow histories recorded from the suite's own runs (`npm run record-histories`), committed
 * under test/replay/ and replayed against the current code by the replay test. They are exported
 * with the Temporal CLI, in the JSON form the Temporal UI also exports.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { payloadKeyListSchema } from '../../config';
import { EncryptionCodec, productDataConverter } from '../../config/payload-encryption';
import { resolveTemporalCli } from '../../dev/temporal-cli';
import { TEST_PAYLOAD_KEYS } from './stack';

/** Replays read what the suite recorded: plain histories from before payload encryption, and encrypted ones under its key. */
export const replayDataConverter = productDataConverter(
  new EncryptionCodec(payloadKeyListSchema.parse(TEST_PAYLOAD_KEYS)),
);

export const REPLAY_DIR = path.join(__dirname, '..', 'replay');

/**
 * The history as JSON, from the CLI. `stored`: as Temporal holds it (encrypted payloads as their
 * ciphertext). `decoded` (default, for searching histories for secrets): every encrypted payload
 * decoded with the client's codecs and shown as its JSON value, as the CLI shows plain ones.
 */
export async function exportHistory(
  client: Client,
  workflowId: string,
  form: 'decoded' | 'stored' = 'decoded',
): Promise<string> {
  const cli = await resolveTemporalCli();
  const address = (client.connection as Connection).options.address;
  const { stdout } = await promisify(execFile)(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--address',
      address,
      '--namespace',
      client.options.namespace,
      '--output',
      'json',
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (form === 'stored') return stdout;
  return JSON.stringify(await decodePayloadsIn(JSON.parse(stdout), client.options.loadedDataConverter.payloadCodecs));
}

const ENCRYPTED = Buffer.from('binary/encrypted').toString('base64');

/** Replaces every encrypted payload in a CLI history export by its decoded value. */
async function decodePayloadsIn(node: unknown, codecs: readonly PayloadCodec[]): Promise<unknown> {
  if (Array.isArray(node)) return Promise.all(node.map((n) => decodePayloadsIn(n, codecs)));
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, unknown>;
  const metadata = object.metadata as Record<string, string> | undefined;
  if (metadata?.encoding === ENCRYPTED && typeof object.data === 'string') {
    let payloads: Payload[] = [
      {
        metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(object.data, 'base64'),
      },
    ];
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    return defaultPayloadConverter.fromPayload(payloads[0]!);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) out[k] = await decodePayloadsIn(v, codecs);
  return out;
}

/**
 * Workflows derive ids from their own (e.g. a child's), so replay needs the case's real id: every
 * history names it in its first event. The index beside them, kept before histories carried it,
 * is only read for a history that does not.
 */
const LEGACY_IDS_FILE = path.join(REPLAY_DIR, 'workflow-ids.json');

export function workflowIdOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
}

/**
 * Records a finished case's history as `test/replay/<name>.json`, only when no history of that
 * name exists: recorded histories are add-only (open cases of every old version must keep
 * replaying), so new behaviour is recorded under a new name beside the old ones.
 */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(REPLAY_DIR, `${name}.json`);
  if (await stat(file).catch(() => undefined)) {
    console.warn(
      `test/replay/${name}.json is kept as recorded (histories are add-only); record new behaviour under a new name`,
    );
    return;
  }
  await writeFile(file, await exportHistory(client, workflowId, 'stored'), { flag: 'wx' });
}

export async function recordedHistories(): Promise<{ name: string; workflowId: string; history: History }[]> {
  const legacy = JSON.parse(await readFile(LEGACY_IDS_FILE, 'utf8').catch(() => '{}')) as Record<string, string>;
  const files = (await readdir(REPLAY_DIR))
    .filter((f) => f.endsWith('.json') && path.join(REPLAY_DIR, f) !== LEGACY_IDS_FILE)
    .sort();
  return Promise.all(
    files.map(async (f) => {
      const name = f.replace(/\.json$/, '');
      const history = historyFromJSON(JSON.parse(await readFile(path.join(REPLAY_DIR, f), 'utf8')));
      const workflowId = workflowIdOf(history) ?? legacy[name];
      if (!workflowId) throw new Error(`${f} names no workflow id in its first event, nor does ${LEGACY_IDS_FILE}`);
      return { name, workflowId, history };
    }),
  );
}

/** The activity types a history scheduled, in order. */
export function scheduledActivities(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** The patch ids a history recorded markers for (`patched` or `deprecatePatch`). */
export function patchMarkers(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}
