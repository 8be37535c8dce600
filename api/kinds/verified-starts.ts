/**
 * What the kinds that start from the enterprise's approved verification share: the start body less
 * its kind and enterprise as the request, the verified enterprise at the head of the input, and
 * numbers bound where the start's `binding` names.
 */
import { bindingAt, numbersOf, verifiedEnterprise, type BindingRef, type KindContext } from './shared';

type Start = { kind?: unknown; enterpriseId: string };

/** The start body less its kind and enterprise. */
type RequestOf<B extends Start> = Omit<B, 'kind' | 'enterpriseId'>;

/** Numbers bound where the start's `binding` names: an instance and, in it, an IVR flow or skill group. */
const atBinding = (body: {
  binding: { instanceId: string; ivrFlowId?: string | undefined; skillGroupId?: string | undefined };
}): BindingRef => bindingAt('binding.', body.binding);

/** The start body less its kind and enterprise: the request as the workflow takes it. */
export function requestOf<B extends Start>(body: B): RequestOf<B> {
  const { kind: _kind, enterpriseId: _enterpriseId, ...request } = body;
  return request;
}

/** The workflow's input: the verified enterprise, then what `rest` makes of the request. */
export function verifiedInput<B extends Start, R>(rest: (request: RequestOf<B>, ctx: KindContext) => R) {
  return async (body: B, ctx: KindContext) => ({
    ...(await verifiedEnterprise(ctx, body.enterpriseId)),
    ...rest(requestOf(body), ctx),
  });
}

/**
 * The input of a kind that brings the enterprise's own lines in (a SIP trunk or registration):
 * the tenant and its company, the lines in E.164, and what `rest` adds from the request.
 */
export function ownLinesInput<B extends Start & { numbers: string[] }, R>(
  rest: (request: Omit<B, 'kind' | 'enterpriseId' | 'numbers'>, ctx: KindContext) => R,
) {
  return async (body: B, ctx: KindContext) => {
    const { kind: _kind, enterpriseId, numbers, ...request } = body;
    const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
    return {
      enterpriseId,
      companyName,
      numbers: numbersOf(numbers),
      ...rest(request, ctx),
      timings: ctx.config.timings.sip,
    };
  };
}

/** A start that binds its numbers where `binding` names and whose input begins with the verified enterprise. */
export function boundVerified<B extends Start & Parameters<typeof atBinding>[0], R>(
  rest: (request: RequestOf<B>, ctx: KindContext) => R,
) {
  return { binding: (body: B) => atBinding(body), workflowInput: verifiedInput(rest) };
}
