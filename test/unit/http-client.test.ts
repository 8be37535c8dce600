import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServiceClient, closeHttpPool } from '../../activities/http-client';

// A service that answers JSON and counts the TCP connections its clients open.
let server: http.Server;
let baseUrl: string;
let connections = 0;

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    for await (const chunk of req) void chunk;
    if (req.url === '/refused') {
      res.writeHead(409, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: '/problems/center-name-taken', detail: 'taken' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, key: req.headers['idempotency-key'] ?? null }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeHttpPool();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const failures = {
  unavailable: (message: string) => new Error(`unavailable: ${message}`),
  refused: (refusal: { status: number; problem: string }) => new Error(`refused ${refusal.status} ${refusal.problem}`),
};

describe('the activities HTTP client', () => {
  it('reuses kept-alive connections: ten sequential calls from two clients share the pool', async () => {
    const before = connections;
    const a = new HttpServiceClient('svc', { baseUrl, apiKey: 'k' }, failures);
    const b = new HttpServiceClient('other', { baseUrl, apiKey: 'k' }, failures);
    for (let i = 0; i < 5; i++) {
      expect(await a.request('POST', `/a/${i}`, { body: { i }, idempotencyKey: `key-${i}` })).toEqual({
        path: `/a/${i}`,
        key: `key-${i}`,
      });
      await b.request('GET', `/b/${i}`);
    }
    // One connection, or two when a call is sent before the pool has taken the last one back.
    expect(connections - before).toBeGreaterThanOrEqual(1);
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it("turns a refusal into the caller's final failure, with the problem slug", async () => {
    const client = new HttpServiceClient('svc', { baseUrl, apiKey: 'k' }, failures);
    await expect(client.request('POST', '/refused', { body: {} })).rejects.toThrow('refused 409 center-name-taken');
  });

  it('turns no answer into the retried failure', async () => {
    const client = new HttpServiceClient('svc', { baseUrl: 'http://127.0.0.1:1', apiKey: 'k' }, failures);
    await expect(client.request('GET', '/x')).rejects.toThrow(/^unavailable: svc GET \/x did not answer/);
  });
});
