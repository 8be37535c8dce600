import { describe, expect, it } from 'vitest';
import { generateSipPassword, hashPassword, sipDigests, verifyPassword } from '../../activities/sip-credentials';
import { digestAuthorization, ha1, ha1b, parseChallenge } from '../../sip/digest';

describe('digest', () => {
  it('answers the RFC 2617 example challenge', () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(challenge).toMatchObject({
      realm: 'testrealm@host.com',
      qop: ['auth', 'auth-int'],
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    });
    const value = digestAuthorization({
      method: 'GET',
      uri: '/dir/index.html',
      username: 'Mufasa',
      password: 'Circle Of Life',
      challenge,
      cnonce: '0a4f113b',
      nc: 1,
    });
    expect(value).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(value).toContain('qop=auth, nc=00000001, cnonce="0a4f113b"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('works from the HA1 alone, and without qop', () => {
    const challenge = parseChallenge('Digest realm="1400.tccc.example", nonce="abc"');
    const key = ha1('gateway01', '1400.tccc.example', 'pw');
    expect(digestAuthorization({ method: 'INVITE', uri: 'sip:1@x', username: 'gateway01', ha1: key, challenge })).toBe(
      digestAuthorization({ method: 'INVITE', uri: 'sip:1@x', username: 'gateway01', password: 'pw', challenge }),
    );
    expect(() => parseChallenge('Basic realm="x"')).toThrow(/unsupported/);
  });

  it('stores HA1 and HA1b as Kamailio computes them', () => {
    // echo -n 'gateway01:1400.tccc.example:pw' | md5sum
    expect(ha1('gateway01', '1400.tccc.example', 'pw')).toBe('31ee83fb4940c0f0c3e9363389c45f7b');
    expect(sipDigests('gateway01', 'r.example', 'pw')).toEqual({
      ha1: ha1('gateway01', 'r.example', 'pw'),
      ha1b: ha1b('gateway01', 'r.example', 'r.example', 'pw'),
    });
  });
});

describe('account passwords', () => {
  it('are long, random letters and digits', () => {
    const a = generateSipPassword();
    expect(a).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(generateSipPassword()).not.toBe(a);
  });

  it('are kept only as a salted hash that recognises them', () => {
    const stored = hashPassword('s3cret');
    expect(stored).not.toContain('s3cret');
    expect(verifyPassword('s3cret', stored)).toBe(true);
    expect(verifyPassword('other', stored)).toBe(false);
  });
});
