import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { verificationPayloads } from '../../domain/verification';
import { ONBOARDING_KINDS } from '../../contract/kinds';
import { bearer, useHarness } from '../support/harness';

const h = useHarness({ API_BODY_LIMIT: '2kb' });

describe('API contract', () => {
  it('reports health from Temporal: 200 when reachable, 503 when not', async () => {
    expect((await h.api.get('/healthz')).status).toBe(200);
    const deadConnection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const dead = createApp({
      config: h.config,
      client: new Client({ connection: deadConnection }),
      tokens: new TokenRegistry([]),
    });
    const res = await request(dead).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const res = await h.api.get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const start = res.body.components.schemas['Start_enterprise-verification'];
    expect(start.required).toEqual(
      expect.arrayContaining([
        'kind',
        'enterpriseId',
        'applicantType',
        'company',
        'legalRepresentative',
        'contact',
        'documents',
      ]),
    );
    expect(start.additionalProperties).toBe(false);
    // A case's result is typed by its kind: one resource schema per kind, told apart by `kind`.
    const onboarding = res.body.components.schemas.Onboarding;
    expect(onboarding.discriminator.propertyName).toBe('kind');
    expect(onboarding.oneOf).toHaveLength(ONBOARDING_KINDS.length);
    for (const kind of ONBOARDING_KINDS) {
      const resource = res.body.components.schemas[`Onboarding_${kind}`];
      expect(onboarding.discriminator.mapping[kind]).toBe(`#/components/schemas/Onboarding_${kind}`);
      expect(resource.properties.kind.const).toBe(kind);
      expect(resource.properties.result.anyOf).toEqual(expect.arrayContaining([{ type: 'null' }]));
    }
    const verified = res.body.components.schemas['Onboarding_enterprise-verification'].properties.result.anyOf[0];
    expect(verified.required).toEqual(expect.arrayContaining(['decision', 'licence', 'billingCustomerId']));
    for (const action of Object.keys(verificationPayloads)) {
      expect(res.body.components.schemas[`Action_enterprise-verification_${action}`]).toBeDefined();
    }
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/v1/documents',
        '/v1/onboardings',
        '/v1/onboardings/{id}',
        '/v1/onboardings/{id}/actions/{action}',
        '/v1/onboardings/{id}/cancel',
      ]),
    );
  });

  it('answers malformed requests with problem+json and starts nothing', async () => {
    const auth = bearer(h.tokens.entA);
    const big = await h.api
      .post('/v1/onboardings')
      .set(...auth)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ kind: 'enterprise-verification', pad: 'x'.repeat(4096) }));
    expect(big.status).toBe(413);
    const badJson = await h.api
      .post('/v1/onboardings')
      .set(...auth)
      .set('content-type', 'application/json')
      .send('{"kind": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.title).toBe('Malformed JSON');
    const noKind = await h.api
      .post('/v1/onboardings')
      .set(...auth)
      .send({});
    expect(noKind.status).toBe(400);
    expect(noKind.body.errors[0].path).toBe('kind');
    const badKey = await h.api
      .post('/v1/onboardings')
      .set(...auth)
      .set('Idempotency-Key', 'short')
      .send({ kind: 'enterprise-verification' });
    expect(badKey.status).toBe(400);
    const badFilter = await h.api
      .get('/v1/onboardings')
      .query({ status: "running' OR 1=1", surprise: 'x' })
      .set(...auth);
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['query.status']),
    );
    const unknownCase = await h.api.get('/v1/onboardings/verification-nobody').set(...bearer(h.tokens.support));
    expect(unknownCase.status).toBe(404);
    const unknownRoute = await h.api.get('/v1/nothing-here').set(...auth);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers['content-type']).toContain('application/problem+json');
    const listed = await h.api.get('/v1/onboardings').set(...auth);
    expect(listed.body.items).toEqual([]);
  });
});
