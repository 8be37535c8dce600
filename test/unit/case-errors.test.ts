/** A case's error as the API shows it: its cause, and, for a kind's own failure, a type the kind declares. */
import { describe, expect, it } from 'vitest';
import { caseErrorViewSchemaOf, errorView } from '../../domain/onboarding';
import { shapeOf } from '../../contract/kinds';

const trunk = shapeOf('sip-trunk').failures;

describe('errorView', () => {
  it("calls a failure the kind declares the kind's own outcome", () => {
    const view = errorView({ type: 'OutboundTestFailed', message: 'no answer' }, trunk, 'failed');
    expect(view).toEqual({ type: 'OutboundTestFailed', message: 'no answer', cause: 'business' });
  });

  it('tells an outside system that kept failing, a bug and a cancellation apart', () => {
    expect(errorView({ type: 'BillingUnavailable', message: '503' }, trunk, 'failed').cause).toBe('system');
    // Terminated or timed out: Temporal's word, read from the description.
    expect(errorView({ type: 'Failed', message: 'the workflow terminated' }, trunk, 'failed').cause).toBe('system');
    expect(errorView({ type: 'InternalError', message: 'TypeError: x' }, trunk, 'failed').cause).toBe('internal');
    expect(errorView({ type: 'Cancelled', message: 'the case was cancelled' }, trunk, 'cancelled').cause).toBe(
      'cancelled',
    );
  });

  it("does not take another kind's failure for this kind's own", () => {
    // `RejectedBySupplier` is a third-party line's outcome, not a SIP trunk's.
    expect(errorView({ type: 'RejectedBySupplier', message: 'x' }, trunk, 'failed').cause).toBe('system');
  });
});

describe("a kind's error schema", () => {
  it('accepts a business failure only with a type the kind declares', () => {
    const schema = caseErrorViewSchemaOf(trunk);
    expect(schema.safeParse({ cause: 'business', type: 'Rejected', message: 'm' }).success).toBe(true);
    expect(schema.safeParse({ cause: 'business', type: 'NoCleanNumbers', message: 'm' }).success).toBe(false);
    expect(schema.safeParse({ cause: 'system', type: 'NoCleanNumbers', message: 'm' }).success).toBe(true);
  });

  it('has no business failures for a kind that declares none', () => {
    const schema = caseErrorViewSchemaOf(shapeOf('contact-center-instance').failures);
    expect(schema.safeParse({ cause: 'business', type: 'Rejected', message: 'm' }).success).toBe(false);
    expect(schema.safeParse({ cause: 'internal', type: 'InternalError', message: 'm' }).success).toBe(true);
  });
});
