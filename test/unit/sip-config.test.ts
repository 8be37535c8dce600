import { describe, expect, it } from 'vitest';
import { loadConfig, PROVIDER_SIGNALLING } from '../../config';
import { developmentServices } from '../../dev/start';
import { kamailioArgs } from '../../sbc/start';
import { PRODUCTION_WITHOUT_TOKENS } from './environments';

describe('SIP configuration', () => {
  it('tells customers the published addresses, and the local SBC in development', () => {
    const prod = loadConfig({ ...PRODUCTION_WITHOUT_TOKENS, API_TOKENS_FILE: '/etc/tokens.json' }).sipGateway;
    expect(prod.provider).toEqual({
      inbound: 'sip.pstn.avc.qcloud.com:5089',
      inboundIps: [...PROVIDER_SIGNALLING.inboundIps],
      outbound: [...PROVIDER_SIGNALLING.outbound],
    });
    expect(prod.provider.outbound).toHaveLength(6);
    expect(prod.provider.outbound.every((a) => a.endsWith(':5089'))).toBe(true);
    expect(prod.registrar).toBe('sip.tccc.qcloud.com:35090');

    const dev = loadConfig({}).sipGateway;
    expect(dev.provider).toEqual({
      inbound: '127.0.0.1:5080',
      inboundIps: ['127.0.0.1:5080'],
      outbound: ['127.0.0.1:5080'],
    });
    expect(dev.registrar).toBe('127.0.0.1:5080');
    expect(dev.sbc).toMatchObject({
      rpcUrl: 'http://127.0.0.1:5071/RPC',
      platformAddresses: ['127.0.0.1'],
      timeZone: 'UTC',
    });
  });

  it('rejects malformed SIP settings', () => {
    expect(() => loadConfig({ SIP_PROVIDER_OUTBOUND: '1.2.3.4:5089,nope' })).toThrow(/SIP_PROVIDER_OUTBOUND/);
    expect(() => loadConfig({ SBC_PLATFORM_ADDRESSES: '10.0.0.1,host' })).toThrow(/SBC_PLATFORM_ADDRESSES/);
    expect(() => loadConfig({ SIP_GATEWAY_MODE: 'freeswitch' })).toThrow(/SIP_GATEWAY_MODE/);
  });

  it('runs the SBC before the worker, and gives worker and API the chosen mode', () => {
    const config = loadConfig({});
    const withSbc = developmentServices(config, '/usr/bin/temporal', { mode: 'kamailio', runSbc: true });
    expect(withSbc.map((s) => s.name)).toEqual([
      'temporal',
      'mail',
      'billing',
      'contact-center',
      'sbc',
      'public-network',
      'worker',
      'api',
    ]);
    for (const name of ['worker', 'api'])
      expect(withSbc.find((s) => s.name === name)!.env).toEqual({ SIP_GATEWAY_MODE: 'kamailio' });
    const without = developmentServices(config, '/usr/bin/temporal', { mode: 'manual', runSbc: false });
    expect(without.map((s) => s.name)).not.toContain('sbc');
    expect(without.find((s) => s.name === 'worker')!.env).toEqual({ SIP_GATEWAY_MODE: 'manual' });
  });

  it('parameterises Kamailio with listeners and defines', () => {
    const args = kamailioArgs(
      {
        databaseUrl: 'postgres://u@h:5432/db',
        sipIp: '127.0.0.5',
        sipPort: 5070,
        rpcPort: 5071,
        sipDomain: 'Sip.Test',
        platformUri: 'sip:10.0.0.1:5060',
      },
      '/run/x',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '-DD',
        '-E',
        '-Y',
        '/run/x',
        '-l',
        'udp:127.0.0.5:5070',
        '-l',
        'tcp:127.0.0.5:5070',
        '-l',
        'tcp:127.0.0.1:5071',
      ]),
    );
    expect(args).toEqual(
      expect.arrayContaining([
        'SIP_DOMAIN="sip.test"',
        'RPC_PORT=5071',
        'PLATFORM_URI="sip:10.0.0.1:5060"',
        '-f',
        '/run/x/kamailio.cfg',
      ]),
    );
    // The database URL (credentials) stays off the process list.
    expect(args.join(' ')).not.toContain('postgres://');
    expect(() =>
      kamailioArgs(
        { databaseUrl: 'postgres://u@h/db"x', sipIp: '127.0.0.5', sipPort: 1, rpcPort: 2, sipDomain: 'd' },
        '/r',
      ),
    ).toThrow(/unsupported/);
  });
});
