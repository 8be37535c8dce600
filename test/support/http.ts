import net from 'node:net';

/**
 * One request over real HTTP, as a client program sends it: a JSON body (a form or a text body as
 * it is), and the answer parsed as JSON where it is JSON, else kept as text.
 */
export async function httpCall<T = any>(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const raw = body === undefined || body instanceof FormData || typeof body === 'string';
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: raw ? (body as string | FormData | undefined) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

/** A port free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Polls a process's health URL until it answers 2xx. Fails at once when `gone()` gives a reason
 * (the process exited), or with `late()`'s message after `timeoutMs`.
 */
export async function untilHealthy(
  url: string,
  { timeoutMs, gone, late }: { timeoutMs: number; gone: () => string | undefined; late: () => string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = gone();
    if (reason) throw new Error(reason);
    if ((await fetch(url).catch(() => undefined))?.ok) return;
    if (Date.now() > deadline) throw new Error(late());
    await new Promise((r) => setTimeout(r, 100));
  }
}
