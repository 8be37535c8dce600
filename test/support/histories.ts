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

/** History files name their case; workflows derive ids from their own (e.g. a child's), so replay needs the real one. */
const IDS_FILE = path.join(REPLAY_DIR, 'workflow-ids.json');

async function readIds(): Promise<Record<string, string>> {
  return JSON.parse(await readFile(IDS_FILE, 'utf8').catch(() => '{}')) as Record<string, string>;
}

/**
 * Records a finished case's history as `test/replay/<name>.json`, only when no history of that
 * name exists: recorded histories are add-only (open cases of every old version must keep
 * replaying), so new behaviour is recorded under a new name beside the old ones.
 */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const ids = await readIds();
  const file = path.join(REPLAY_DIR, `${name}.json`);
  if (ids[name] !== undefined || (await stat(file).catch(() => undefined))) {
    console.warn(
      `test/replay/${name}.json is kept as recorded (histories are add-only); record new behaviour under a new name`,
    );
    return;
  }
  await writeFile(file, await exportHistory(client, workflowId, 'stored'), { flag: 'wx' });
  const next = { ...ids, [name]: workflowId };
  await writeFile(IDS_FILE, `${JSON.stringify(Object.fromEntries(Object.entries(next).sort()), null, 2)}\n`);
}

export async function recordedHistories(): Promise<{ name: string; workflowId: string; history: History }[]> {
  const ids = await readIds();
  const files = (await readdir(REPLAY_DIR))
    .filter((f) => f.endsWith('.json') && path.join(REPLAY_DIR, f) !== IDS_FILE)
    .sort();
  return Promise.all(
    files.map(async (f) => {
      const name = f.replace(/\.json$/, '');
      if (!ids[name]) throw new Error(`no workflow id recorded for ${f} in ${IDS_FILE}`);
      return {
        name,
        workflowId: ids[name],
        history: historyFromJSON(JSON.parse(await readFile(path.join(REPLAY_DIR, f), 'utf8'))),
      };
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
