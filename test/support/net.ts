/**
 * Loopback /24s for tests that bind SIP and HTTP listeners to fixed addresses. Each test file
 * owns one third octet (`test/unit/test-nets.test.ts` fails when two files share one), and
 * `TEST_LOOPBACK_OCTET` moves them all to another second octet, so two checkouts can run their
 * suites on one machine at once.
 */
const SECOND_OCTET = Number(process.env.TEST_LOOPBACK_OCTET ?? 0);
if (!Number.isInteger(SECOND_OCTET) || SECOND_OCTET < 0 || SECOND_OCTET > 254) {
  throw new Error(`TEST_LOOPBACK_OCTET must be an integer 0-254, got ${process.env.TEST_LOOPBACK_OCTET}`);
}

/** The first three octets of the loopback /24 `third`, e.g. `loopbackNet(72)` is `127.0.72`. */
export function loopbackNet(third: number): string {
  return `127.${SECOND_OCTET}.${third}`;
}
