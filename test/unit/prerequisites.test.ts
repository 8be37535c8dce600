import { describe, expect, it } from 'vitest';
import {
  decide,
  ensurePrerequisites,
  manualCommand,
  PACKAGES,
  parseArgs,
  parseOsRelease,
  PrerequisitesError,
  type Probes,
} from '../../dev/prerequisites';
import { READY as ready } from './surveys';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

/** A machine described by what is on it; installing and starting change it as apt would. */
function machine(initial: {
  os?: string;
  uid?: number;
  sudo?: boolean;
  have?: string[];
  postgres?: 'answers' | 'stopped' | 'absent';
  go?: boolean;
  cli?: boolean;
}) {
  const have = new Set(
    initial.have ?? ['kamailio', 'db_postgres.so', 'sipp', 'baresip', 'pdftotext', 'apt-get', 'ca-certificates'],
  );
  let postgres = initial.postgres ?? 'answers';
  const commands: string[] = [];
  const probes: Probes = {
    osRelease: async () => initial.os ?? DEBIAN,
    uid: () => initial.uid ?? 0,
    sudoNonInteractive: async () => initial.sudo ?? false,
    which: async (name) => (have.has(name) ? `/usr/bin/${name}` : undefined),
    exists: async (file) =>
      file.endsWith('db_postgres.so')
        ? have.has('db_postgres.so')
        : file.includes('ca-certificates')
          ? have.has('ca-certificates')
          : false,
    kamailioModuleDirs: async () => ['/usr/lib/x86_64-linux-gnu/kamailio/modules'],
    postgresAnswers: async () => postgres === 'answers',
    postgresVersions: async () => (postgres === 'absent' ? [] : ['15']),
    temporalCli: async () => ((initial.cli ?? true) ? 'found' : initial.go ? 'buildable' : 'missing'),
  };
  const exec = async (command: string, args: string[]) => {
    commands.push([command, ...args].join(' '));
    const [cmd, ...rest] = command === 'sudo' ? args.slice(1) : [command, ...args];
    if (cmd === 'apt-get' && rest[0] === 'install') {
      for (const pkg of rest.slice(3)) {
        if (pkg === 'kamailio') have.add('kamailio');
        if (pkg === 'kamailio-postgres-modules') have.add('db_postgres.so');
        if (pkg === 'sip-tester') have.add('sipp');
        if (pkg === 'baresip') have.add('baresip');
        if (pkg === 'poppler-utils') have.add('pdftotext');
        if (pkg === 'chromium') have.add('chromium');
        if (pkg === 'ca-certificates') have.add('ca-certificates');
        if (pkg === 'postgresql') postgres = 'stopped';
      }
    }
    if (cmd === 'pg_ctlcluster' || cmd === 'sh') postgres = 'answers';
    return 0;
  };
  return { probes, exec, commands };
}

async function ensure(
  m: ReturnType<typeof machine>,
  options: { purpose?: 'start' | 'test'; browser?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  const lines: string[] = [];
  const outcome = await ensurePrerequisites({
    purpose: options.purpose ?? 'test',
    browser: options.browser,
    env: options.env ?? {},
    probes: m.probes,
    exec: m.exec,
    log: (line) => lines.push(line),
  }).catch((error: unknown) => error);
  return { outcome, lines };
}

describe('decide', () => {
  it('does nothing when everything is there', () => {
    expect(decide(ready, { purpose: 'test' })).toEqual({ kind: 'ready' });
  });

  it('installs what is missing as root, saying why for each package', () => {
    const plan = decide({ ...ready, kamailio: false, kamailioPostgresModule: false, sipp: false }, { purpose: 'test' });
    expect(plan).toMatchObject({ kind: 'setup', sudo: false, postgres: 'none' });
    if (plan.kind !== 'setup') throw new Error('expected a setup plan');
    expect(plan.packages.map((p) => p.name)).toEqual(['kamailio', 'kamailio-postgres-modules', 'sip-tester']);
    expect(plan.lines).toEqual([
      `installing kamailio: ${PACKAGES.kamailio.why}`,
      `installing kamailio-postgres-modules: ${PACKAGES.kamailioPostgres.why}`,
      `installing sip-tester: ${PACKAGES.sipp.why}`,
    ]);
  });

  it('uses sudo when the user has it non-interactively', () => {
    expect(decide({ ...ready, privilege: 'sudo', sipp: false }, { purpose: 'test' })).toMatchObject({
      kind: 'setup',
      sudo: true,
    });
  });

  it('stops with the one install command for a user without root or sudo', () => {
    const plan = decide({ ...ready, privilege: 'none', kamailio: false, sipp: false }, { purpose: 'test' });
    expect(plan).toMatchObject({
      kind: 'stop',
      command: 'sudo apt-get install -y --no-install-recommends kamailio sip-tester',
    });
  });

  it('stops on a system without apt, naming the Debian packages', () => {
    const plan = decide({ ...ready, apt: false, sipp: false }, { purpose: 'test' });
    expect(plan.kind).toBe('stop');
    expect(plan.kind === 'stop' && plan.reason).toContain('sip-tester');
    expect(plan.kind === 'stop' && plan.command).toBeUndefined();
  });

  it('needs SIPp for tests only, and Chromium only when browser tests are asked for', () => {
    const noSippNoChromium = { ...ready, sipp: false, chromium: false };
    expect(decide(noSippNoChromium, { purpose: 'start' })).toEqual({ kind: 'ready' });
    expect(decide({ ...ready, chromium: false }, { purpose: 'test' })).toEqual({ kind: 'ready' });
    const browser = decide({ ...ready, chromium: false }, { purpose: 'test', browser: true });
    expect(browser.kind === 'setup' && browser.packages.map((p) => p.name)).toEqual(['chromium']);
  });

  it("asks for Chromium for npm test (the console's browser tests), not for npm start unless told", () => {
    expect(parseArgs(['--for', 'test'], {}).browser).toBe(true);
    expect(parseArgs(['--for', 'start'], {}).browser).toBe(false);
    expect(parseArgs(['--for', 'start', '--browser'], {}).browser).toBe(true);
    expect(parseArgs(['--for', 'start'], { BROWSER_TESTS: '1' }).browser).toBe(true);
  });

  it('starts an installed PostgreSQL that is not running, and installs one that is absent', () => {
    expect(decide({ ...ready, postgres: 'stopped' }, { purpose: 'test' })).toMatchObject({
      kind: 'setup',
      packages: [],
      postgres: 'start',
      postgresVersion: '15',
    });
    const absent = decide({ ...ready, postgres: 'absent', postgresVersion: undefined }, { purpose: 'test' });
    expect(absent).toMatchObject({ kind: 'setup', postgres: 'install' });
    expect(absent.kind === 'setup' && absent.packages.map((p) => p.name)).toEqual(['postgresql']);
  });

  it('tells a user without sudo how to start or set up PostgreSQL', () => {
    expect(decide({ ...ready, privilege: 'none', postgres: 'stopped' }, { purpose: 'test' })).toMatchObject({
      kind: 'stop',
      command: 'sudo pg_ctlcluster 15 main start',
    });
    const absent = decide({ ...ready, privilege: 'none', postgres: 'absent' }, { purpose: 'test' });
    expect(absent.kind === 'stop' && absent.command).toMatch(
      /^sudo sh -c 'apt-get install -y --no-install-recommends postgresql && .*127\.0\.0\.1\/32 trust.*pg_ctlcluster/,
    );
  });

  it('stops first when there is neither a Temporal CLI nor Go, even with packages missing', () => {
    const plan = decide({ ...ready, temporalCli: 'missing', kamailio: false }, { purpose: 'test' });
    expect(plan).toMatchObject({ kind: 'stop', reason: expect.stringContaining('Temporal CLI') });
  });

  it('adds ca-certificates only when the Temporal CLI has to be built and they are missing', () => {
    expect(decide({ ...ready, caCertificates: false }, { purpose: 'test' })).toEqual({ kind: 'ready' });
    const build = decide({ ...ready, temporalCli: 'buildable', caCertificates: false }, { purpose: 'test' });
    expect(build.kind === 'setup' && build.packages.map((p) => p.name)).toEqual(['ca-certificates']);
  });

  it('writes one command for packages and a PostgreSQL start together', () => {
    expect(manualCommand([PACKAGES.sipp], 'start', '15')).toBe(
      'sudo apt-get install -y --no-install-recommends sip-tester && sudo pg_ctlcluster 15 main start',
    );
  });
});

describe('parseOsRelease', () => {
  it('reads quoted and bare values', () => {
    expect(parseOsRelease(UBUNTU)).toMatchObject({ ID: 'ubuntu', ID_LIKE: 'debian', NAME: 'Ubuntu' });
  });
});

describe('ensurePrerequisites', () => {
  it('installs as root: apt-get update once, then one install, then reports ready', async () => {
    const m = machine({ have: ['apt-get', 'db_postgres.so', 'ca-certificates'] });
    const { outcome, lines } = await ensure(m);
    expect(outcome).toBe('installed');
    expect(m.commands).toEqual([
      'apt-get update',
      'apt-get install -y --no-install-recommends kamailio sip-tester baresip poppler-utils',
    ]);
    expect(lines).toContain(`prerequisites: installing baresip: ${PACKAGES.baresip.why}`);
    expect(lines).toContain(`prerequisites: installing kamailio: ${PACKAGES.kamailio.why}`);
    expect(lines).toContain(`prerequisites: installing sip-tester: ${PACKAGES.sipp.why}`);
  });

  it('installs through sudo -n on Ubuntu for a user with sudo', async () => {
    const m = machine({
      os: UBUNTU,
      uid: 1000,
      sudo: true,
      have: ['apt-get', 'kamailio', 'db_postgres.so', 'ca-certificates', 'baresip', 'pdftotext'],
    });
    expect((await ensure(m)).outcome).toBe('installed');
    expect(m.commands).toEqual([
      'sudo -n apt-get update',
      'sudo -n apt-get install -y --no-install-recommends sip-tester',
    ]);
  });

  it('stops before running anything for a user without sudo, naming the command', async () => {
    const m = machine({ uid: 1000, sudo: false, have: ['apt-get', 'kamailio', 'db_postgres.so'] });
    const { outcome } = await ensure(m);
    expect(outcome).toBeInstanceOf(PrerequisitesError);
    expect((outcome as Error).message).toContain('sudo apt-get install -y --no-install-recommends sip-tester');
    expect(m.commands).toEqual([]);
  });

  it('stops on Fedora without running anything', async () => {
    const m = machine({ os: FEDORA, have: ['apt-get'] });
    const { outcome } = await ensure(m);
    expect((outcome as Error).message).toMatch(/Only Debian and Ubuntu/);
    expect(m.commands).toEqual([]);
  });

  it('starts a stopped PostgreSQL with pg_ctlcluster and waits until it answers', async () => {
    const m = machine({ postgres: 'stopped' });
    expect((await ensure(m)).outcome).toBe('installed');
    expect(m.commands).toEqual(['pg_ctlcluster 15 main start']);
  });

  it('installs and sets up PostgreSQL when there is none', async () => {
    const m = machine({ postgres: 'absent' });
    expect((await ensure(m)).outcome).toBe('installed');
    expect(m.commands[0]).toBe('apt-get update');
    expect(m.commands[1]).toBe('apt-get install -y --no-install-recommends postgresql');
    expect(m.commands[2]).toMatch(/^sh -c .*127\.0\.0\.1\/32 trust/);
  });

  it('does nothing at all with SKIP_SYSTEM_SETUP=1', async () => {
    const m = machine({ uid: 1000, have: [], postgres: 'absent' });
    const { outcome, lines } = await ensure(m, { env: { SKIP_SYSTEM_SETUP: '1' } });
    expect(outcome).toBe('skipped');
    expect(m.commands).toEqual([]);
    expect(lines.join('\n')).toContain('SKIP_SYSTEM_SETUP=1');
  });

  it('fails when a package installed but is still not found', async () => {
    const m = machine({ have: ['apt-get', 'kamailio', 'sipp'] });
    // apt "succeeds" but the module never appears where Kamailio loads it from.
    m.probes.exists = async () => false;
    const { outcome } = await ensure(m);
    expect((outcome as Error).message).toContain('still missing after installing');
  });
});
