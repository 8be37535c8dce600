/**
 * A typed client for the onboarding API: the paths and bodies come from `client/schema.ts`,
 * generated from the OpenAPI document (`npm run client:generate`), so a changed route or schema
 * is a compile error in code that uses it.
 *
 *   const api = createOnboardingClient({ baseUrl: 'http://localhost:3000', token: 'demo-ent-1' });
 *   const { data, error } = await api.GET('/v1/onboardings/{id}', { params: { path: { id } } });
 *
 * Document uploads are multipart: send them with fetch and FormData (see `uploadDocument`).
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Onboarding = Schemas['Onboarding'];
export type OnboardingSummary = Schemas['OnboardingSummary'];
export type Problem = Schemas['Problem'];
export type StoredDocument = Schemas['Document'];
export type Event = Schemas['Event'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type OnboardingClient = Client<paths>;

export interface OnboardingClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where the API is, e.g. http://localhost:3000 (the document's own server is relative). */
  baseUrl: string;
  /** Bearer token; sent on every request. */
  token?: string;
}

export function createOnboardingClient({
  baseUrl,
  token,
  headers,
  ...rest
}: OnboardingClientOptions): OnboardingClient {
  return createClient<paths>({
    ...rest,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(headers as Record<string, string> | undefined),
    },
  });
}

/** POST /v1/documents with one file (multipart/form-data), typed by the same schema. */
export async function uploadDocument(
  options: Pick<OnboardingClientOptions, 'baseUrl' | 'token'> & { fetch?: typeof fetch },
  upload: { kind: StoredDocument['kind']; file: Blob; filename: string; enterpriseId?: string },
): Promise<
  | { data: StoredDocument; error?: undefined; response: Response }
  | { data?: undefined; error: Problem; response: Response }
> {
  const form = new FormData();
  form.set('kind', upload.kind);
  if (upload.enterpriseId) form.set('enterpriseId', upload.enterpriseId);
  form.set('file', upload.file, upload.filename);
  const response = await (options.fetch ?? fetch)(`${options.baseUrl.replace(/\/+$/, '')}/v1/documents`, {
    method: 'POST',
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
    body: form,
  });
  const body = (await response.json()) as unknown;
  return response.ok ? { data: body as StoredDocument, response } : { error: body as Problem, response };
}
