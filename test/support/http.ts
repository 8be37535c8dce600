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
