import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KAMAILIO_CFG, kamailioArgs, kamailioConfigFiles, writeKamailioConfig } from '../../sbc/start';

const options = {
  databaseUrl: 'postgres://sbc:s3cret@db.internal:5432/sbc',
  sipIp: '127.0.0.5',
  sipPort: 5070,
  rpcPort: 5071,
  sipDomain: 'sip.test',
};
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('SBC configuration files', () => {
  it('puts the database URL in a 0600 file the generated config imports, not on the command line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sbc-config-'));
    dirs.push(dir);
    writeKamailioConfig(options, dir);
    const { main, secrets } = kamailioConfigFiles(options, dir);
    expect(readFileSync(secrets, 'utf8')).toContain('#!define DBURL "postgres://sbc:s3cret@db.internal:5432/sbc"');
    expect(readFileSync(main, 'utf8')).toBe(`#!KAMAILIO\nimport_file "${secrets}"\ninclude_file "${KAMAILIO_CFG}"\n`);
    for (const f of [main, secrets]) expect(statSync(f).mode & 0o777).toBe(0o600);
    const args = kamailioArgs(options, dir).join(' ');
    expect(args).not.toContain('s3cret');
    expect(args).not.toContain('db.internal');
  });

  it('passes flood-control thresholds as defines and refuses nonsense', () => {
    const args = kamailioArgs(
      { ...options, limits: { inviteLimit: 7, floodWindowSeconds: 3, authFailLimit: 2, banSeconds: 30 } },
      '/r',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        'INVITE_LIMIT=7',
        'REGISTER_LIMIT=30',
        'AUTH_FAIL_LIMIT=2',
        'HT_RATE="rate=>size=10;autoexpire=3;updateexpire=0;"',
        'HT_BAN="ipban=>size=8;autoexpire=30;updateexpire=0;"',
      ]),
    );
    expect(() => kamailioArgs({ ...options, limits: { inviteLimit: 0 } }, '/r')).toThrow(/inviteLimit/);
    expect(() => kamailioArgs({ ...options, limits: { banSeconds: 1.5 } }, '/r')).toThrow(/banSeconds/);
  });

  it('never quotes the password in a refusal', () => {
    expect(() => kamailioArgs({ ...options, databaseUrl: 'postgres://u:pw"x@h/db' }, '/r')).toThrow(/unsupported/);
    try {
      kamailioArgs({ ...options, databaseUrl: 'postgres://u:pw"x@h/db' }, '/r');
    } catch (err) {
      expect((err as Error).message).not.toContain('pw"x');
    }
  });
});
