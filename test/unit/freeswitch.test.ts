/** The FreeSWITCH gateway file and first test call emailed to registration-mode customers. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  FREESWITCH_EXPIRE_SECONDS,
  freeswitchGatewayPath,
  freeswitchGatewayXml,
  freeswitchOriginate,
} from '../../domain/freeswitch';
import { templates } from '../../emails/templates';

const settings = {
  name: 'cc-1400001',
  username: 'gateway01',
  password: 'p"w<&>d',
  realm: '1400001.sip.example.cn',
  registrar: '203.0.113.10:35090',
  transport: 'udp' as const,
};

function paramsOf(xml: string): Record<string, string> {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    include: { gateway: { name: string; param: { name: string; value: string }[] } };
  };
  return Object.fromEntries(parsed.include.gateway.param.map((p) => [p.name, p.value]));
}

describe('FreeSWITCH gateway file', () => {
  it('re-registers every 120 s, turns RTP timing auto-fix off and keeps the caller ID in From', () => {
    const xml = freeswitchGatewayXml(settings);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(FREESWITCH_EXPIRE_SECONDS).toBe(120);
    expect(paramsOf(xml)).toMatchObject({
      username: 'gateway01',
      password: 'p"w<&>d',
      realm: settings.realm,
      'from-domain': settings.realm,
      'register-proxy': settings.registrar,
      'outbound-proxy': settings.registrar,
      register: 'true',
      'register-transport': 'udp',
      'expire-seconds': '120',
      'rtp-autofix-timing': 'false',
      'caller-id-in-from': 'true',
    });
    expect(paramsOf(freeswitchGatewayXml({ ...settings, expireSeconds: 300 }))['expire-seconds']).toBe('300');
  });

  it('says where it goes: the external SIP profile, named after the gateway', () => {
    expect(freeswitchGatewayPath('cc-1400001')).toBe('conf/sip_profiles/external/cc-1400001.xml');
    expect(freeswitchGatewayXml(settings).split('\n')[0]).toBe('<!-- conf/sip_profiles/external/cc-1400001.xml -->');
  });

  it('places the first test call as the provider shows: Request-URI and To the line, From the caller', () => {
    const originate = freeswitchOriginate(settings, { line: '+862066004441', caller: '139 0013 9000' });
    expect(originate).toBe(
      'originate {sip_invite_full_from=sip:13900139000@1400001.sip.example.cn,' +
        'sip_invite_to_uri=sip:02066004441@1400001.sip.example.cn,sip_cid_type=none}' +
        'sofia/gateway/cc-1400001/02066004441 &park',
    );
    expect(freeswitchOriginate(settings, { line: '020-66004441', caller: '+8613900139000' })).toBe(originate);
  });

  it('goes out in the credentials email with its path and the originate command', () => {
    const mail = templates['sip-credentials'](
      {
        caseId: 'sip-registration-e1-x',
        companyName: '广州示例有限公司',
        username: 'gateway01',
        password: 'secret-password',
        realm: settings.realm,
        registrar: settings.registrar,
        transport: 'udp',
        rotation: 0,
        freeswitchXml: freeswitchGatewayXml(settings),
        freeswitchPath: freeswitchGatewayPath(settings.name),
        freeswitchOriginate: freeswitchOriginate(settings, { line: '02066004441', caller: '13900139000' }),
      },
      { api: 'http://api/v1/onboardings/x', temporalUi: 'http://ui/x' },
    );
    expect(mail.text).toContain('conf/sip_profiles/external/cc-1400001.xml');
    expect(mail.text).toContain('sofia/gateway/cc-1400001/02066004441 &park');
    expect(mail.text).toContain('<param name="expire-seconds" value="120"/>');
  });
});
