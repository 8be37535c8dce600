import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualSipGateway } from '../../activities/sip-gateway-manual';
import { checkAllowlistAddress, checkGatewayAddress, providerAddresses } from '../../domain/sip';

const sip = {
  provider: {
    inbound: 'sip.provider.example:5089',
    inboundIps: ['139.199.233.98:5089'],
    outbound: ['139.199.4.25:5089', '[2400:cb00::7]:5089'],
  },
  sbc: { sipHost: '203.0.113.10', platformAddresses: ['198.51.100.7'] },
  probeAddress: '198.51.100.8',
};

describe("the provider's own addresses as gateway addresses", () => {
  it('lists the IPs of the SBC, platform, probe and published signalling addresses, host names left out', () => {
    expect(providerAddresses(sip).sort()).toEqual(
      [
        '139.199.233.98',
        '139.199.4.25',
        '198.51.100.7',
        '198.51.100.8',
        '203.0.113.10',
        '2400:cb00:0:0:0:0:0:7',
      ].sort(),
    );
  });

  it('refuses each of them, in any spelling, and still admits a customer address', () => {
    const forbidden = providerAddresses(sip);
    for (const ip of [
      '203.0.113.10',
      '198.51.100.7',
      '198.51.100.8',
      '139.199.4.25',
      '::ffff:139.199.233.98',
      '2400:cb00::0:7',
    ]) {
      expect(checkGatewayAddress(ip, { allowPrivate: false, forbidden })).toMatchObject({
        path: 'gateway.ip',
        code: 'gateway-ip-provider',
      });
    }
    expect(checkGatewayAddress('8.8.8.10', { allowPrivate: false, forbidden })).toBeNull();
    // Without the list (older call sites) only the range rule applies.
    expect(checkGatewayAddress('203.0.113.10', { allowPrivate: false })?.code).toBe('gateway-ip-range');
  });

  it('refuses loopback and private provider addresses even where private gateways are allowed', () => {
    expect(checkGatewayAddress('127.0.0.1', { allowPrivate: true, forbidden: ['127.0.0.1:5080'] })?.code).toBe(
      'gateway-ip-provider',
    );
    expect(checkGatewayAddress('127.0.0.2', { allowPrivate: true, forbidden: ['127.0.0.1:5080'] })).toBeNull();
  });

  it('the allowlist rule refuses provider addresses and ranges no gateway is at', () => {
    expect(checkAllowlistAddress('169.254.169.254', [])?.code).toBe('gateway-ip-range');
    expect(checkAllowlistAddress('224.0.0.1', [])?.code).toBe('gateway-ip-range');
    expect(checkAllowlistAddress('10.1.2.3', [])).toBeNull();
    expect(checkAllowlistAddress('192.0.2.10', [])).toBeNull();
    expect(checkAllowlistAddress('10.1.2.3', ['10.1.2.3'])?.code).toBe('gateway-ip-provider');
  });
});

describe('the manual gateway refuses provider addresses in allowGateway', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('throws a non-retryable GatewayAddressRefused and records no change request', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'manual-gw-'));
    dirs.push(dir);
    const gateway = new ManualSipGateway(path.join(dir, 'manual.json'), {
      sipDomain: 'sip.test',
      forbiddenAddresses: providerAddresses(sip),
    });
    const refused = await gateway
      .allowGateway({ ip: '198.51.100.7', port: 5060, reference: 'case-1' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'GatewayAddressRefused', nonRetryable: true });
    const metadata = await gateway
      .allowGateway({ ip: '169.254.169.254', port: 5060, reference: 'case-1' })
      .catch((e: unknown) => e);
    expect(metadata).toMatchObject({ type: 'GatewayAddressRefused' });
    expect(await gateway.changes()).toEqual([]);
    await expect(gateway.allowGateway({ ip: '8.8.8.10', port: 5060, reference: 'case-1' })).resolves.toMatchObject({
      ip: '8.8.8.10',
      state: 'pending-manual',
    });
  });
});
