/** Kamailio's JSON-RPC over HTTP: how the SBC's memory is read and reloaded. */
import { pooledFetch } from '../http-client';

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

/** Kamailio's JSON-RPC over HTTP (xhttp + jsonrpcs). */
export class KamailioRpc {
  private id = 0;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    // Over the worker's kept-alive connections: a reload or a lookup does not open one of its own.
    const response = await pooledFetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: ++this.id }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RpcError(method, response.status, `not JSON-RPC (HTTP ${response.status}): ${text.slice(0, 200)}`);
    }
    // A fault comes back as HTTP 500 with a JSON-RPC error.
    if (body.error) throw new RpcError(method, body.error.code, body.error.message);
    if (!response.ok) throw new RpcError(method, response.status, `HTTP ${response.status}`);
    return body.result as T;
  }
}
