/**
 * The codec endpoint (Temporal's remote codec protocol): `POST /codec/decode` and `/codec/encode`
 * take and give `{ payloads: [{ metadata: { name: base64 }, data: base64 }] }`, run through the
 * same codecs as the API's Temporal client, so the Temporal UI shows support staff readable
 * histories while the database holds ciphertext.
 *
 * Support and admin only, signed in by the console's session cookie (the UI sends it with
 * `includeCredentials`) or a bearer token. Browsers may call it from the Temporal UI's origin only
 * (CORS with credentials); the session cookie is accepted without the console's CSRF token because
 * neither route changes anything, and another origin cannot read the answer.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Config } from '../config';
import { PayloadDecryptionError } from '../config/payload-encryption';
import { requireRole, type Principal, type TokenRegistry } from './auth';
import { HttpProblem, parseOr400 } from './problem';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const payloadsSchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string().max(200), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(10_000),
});

export interface CodecDeps {
  config: Config;
  client: Client;
  tokens: TokenRegistry;
  sessionPrincipal(req: Request): Promise<Principal | undefined>;
}

/** The origins whose pages may call the endpoint with credentials: the Temporal UI's. */
export function codecOrigins(config: Config): string[] {
  return [new URL(config.temporal.uiUrl).origin];
}

export function mountCodec(app: Express, deps: CodecDeps): void {
  const { config, client, tokens } = deps;
  const origins = new Set(codecOrigins(config));
  const codecs = client.options.loadedDataConverter.payloadCodecs;

  const cors: RequestHandler = (req, res, next) => {
    res.set('Vary', 'Origin');
    const origin = req.get('origin');
    if (origin !== undefined && !origins.has(origin))
      return next(new HttpProblem(403, 'Forbidden', `the codec endpoint is not open to ${origin}`));
    if (origin) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method === 'OPTIONS') return res.status(204).end();
    next();
  };

  const signIn: RequestHandler = async (req, _res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const principal = bearer ? tokens.resolve(bearer[1]!) : await deps.sessionPrincipal(req);
    try {
      requireRole(principal, ['support']);
    } catch (err) {
      return next(err);
    }
    const namespace = req.get('x-namespace');
    if (namespace !== undefined && namespace !== config.temporal.namespace)
      return next(new HttpProblem(404, 'Not found', `no codec for namespace ${namespace}`));
    next();
  };

  const convert =
    (direction: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const { payloads } = parseOr400(payloadsSchema, req.body ?? {});
      let converted: Payload[] = payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, fromBase64(v)])),
        data: fromBase64(p.data ?? ''),
      }));
      try {
        for (const codec of direction === 'encode' ? codecs : [...codecs].reverse())
          converted = await codec[direction](converted);
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new HttpProblem(422, 'Cannot decode', err.message);
        throw err;
      }
      res.set('Cache-Control', 'no-store').json({
        payloads: converted.map((p) => ({
          metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBase64(v)])),
          data: toBase64(p.data),
        })),
      });
    };

  const router = express.Router();
  router.use(cors);
  router.use(express.json({ limit: '8mb' }));
  router.post('/decode', signIn, convert('decode'));
  router.post('/encode', signIn, convert('encode'));
  app.use('/codec', router);
}

function fromBase64(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function toBase64(value: Uint8Array | null | undefined): string {
  return Buffer.from(value ?? new Uint8Array()).toString('base64');
}
