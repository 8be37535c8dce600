/**
 * Activity proxies shared by the processes: one place for each external system's timeouts and
 * retry policy. Retries are unlimited with capped backoff: every write is idempotent, and a case
 * should wait out an outage rather than fail; permanent refusals are non-retryable failures.
 */
import type { Duration } from '@temporalio/common';
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { BillingActivities } from '../../activities/billing';
import type { CheckActivities } from '../../activities/checks';
import type { AdminPasswordActivities, PlatformActivities } from '../../activities/contact-center';
import type { SipGatewayActivities } from '../../activities/sip-gateway';
import type { SipProbeActivities } from '../../activities/sip-probe';
import type { SipAccountActivities } from '../../activities/sip-accounts';
import type { SipWatchActivities } from '../../activities/sip-watch';
import type { UsageActivities } from '../../activities/usage';

/**
 * A write to another system: retried without limit, the pause doubling up to `maximumInterval`;
 * a cancel waits for the attempt in flight to settle, so the compensation registered before the
 * step sees whatever it did (an order charged, a row added).
 */
function writes(startToCloseTimeout: Duration, initialInterval: Duration, maximumInterval: Duration) {
  return {
    startToCloseTimeout,
    retry: { initialInterval, backoffCoefficient: 2, maximumInterval },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}

export const billing = proxyActivities<BillingActivities>(writes('30 seconds', '1 second', '5 minutes'));

// An SBC write (database row, allowlist reload) takes well under a second; a lost attempt is retried after this.
export const gateway = proxyActivities<SipGatewayActivities>(writes('30 seconds', '1 second', '5 minutes'));

/** The domain's rules that need its libraries (pre-checks, script screening): quick, pure, retried. */
export const checks = proxyActivities<CheckActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Probes touch the customer's gateway: a few quick attempts, the workflow decides what then. */
export const sipProbe = proxyActivities<SipProbeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/** Long polls of the SBC; a lost worker is noticed by the missing heartbeat, not after minutes. */
export const sipWatch = proxyActivities<SipWatchActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Issuing credentials both changes the SBC and emails the secret; the ledger makes retries safe. */
export const sipAccounts = proxyActivities<SipAccountActivities>(writes('1 minute', '2 seconds', '5 minutes'));

/** Writes to the contact-center platform, keyed by the case: an outage makes the case wait, not fail. */
export const platform = proxyActivities<PlatformActivities>(writes('30 seconds', '1 second', '1 minute'));

/** Sets the administrator's password and emails it in one attempt; the ledger makes retries safe. */
export const adminPassword = proxyActivities<AdminPasswordActivities>(writes('1 minute', '2 seconds', '1 minute'));

/** Reading a month of the SBC's call records and rating them: a read, retried through outages. */
export const usage = proxyActivities<UsageActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
