/**
 * What `npm start`, `npm test` and CI need from the machine, checked before anything runs:
 * the Temporal CLI (or Go to build it), Kamailio with its PostgreSQL module, SIPp, baresip and
 * poppler's pdftotext (tests only),
 * a PostgreSQL answering on 127.0.0.1:5432, and Chromium when browser tests are asked for.
 * `npm run cluster` (`--for cluster`) needs the same as `npm start`, plus the Temporal server,
 * its SQL tool and the UI server, built with Go like the CLI.
 *
 * Missing Debian packages are installed with apt-get when this user is root or has
 * non-interactive sudo on Debian or Ubuntu, one line per package saying why. Otherwise the
 * command stops at once with the one command that installs them. SKIP_SYSTEM_SETUP=1 turns the
 * system part off. `decide` is the whole policy, a pure function of what the probes found.
 *
 *   tsx dev/prerequisites.ts [--for start|test|cluster] [--browser] [--no-temporal-cli]
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_GO_LOCATIONS, resolveTemporalCli, TemporalCliNotFoundError } from './temporal-cli';
import { clusterToolsState, resolveClusterTools } from './temporal-server';

export type Purpose = 'start' | 'test' | 'cluster';

/** Where the SBC's database is expected (the default SBC_DATABASE_URL). */
export const POSTGRES = { host: '127.0.0.1', port: 5432 };
/** Loopback trust for the postgres user, as the tests and the default SBC_DATABASE_URL connect. */
const TRUST_LINE = 'host all all 127.0.0.1/32 trust';
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export interface Package {
  name: string;
  why: string;
}

export const PACKAGES = {
  kamailio: { name: 'kamailio', why: 'the SBC that SIP trunks and registrations run through' },
  kamailioPostgres: {
    name: 'kamailio-postgres-modules',
    why: "Kamailio's PostgreSQL module (db_postgres), where the SBC keeps accounts and allowlists",
  },
  sipp: { name: 'sip-tester', why: 'SIPp, the customer gateways and phones the SIP tests simulate' },
  baresip: { name: 'baresip', why: 'a real SIP phone that registers and calls through the SBC in the tests' },
  poppler: { name: 'poppler-utils', why: 'pdftotext, which reads the PDFs the API serves in the tests' },
  postgresql: { name: 'postgresql', why: "the SBC's database on 127.0.0.1:5432" },
  chromium: { name: 'chromium', why: 'the browser the browser tests drive' },
  caCertificates: { name: 'ca-certificates', why: 'HTTPS for Go to download the Temporal CLI and server sources' },
} satisfies Record<string, Package>;

/** Everything the decision needs to know about the machine; each field comes from one probe. */
export interface Survey {
  /** /etc/os-release names Debian or Ubuntu (or a derivative) and apt-get is there. */
  apt: boolean;
  privilege: 'root' | 'sudo' | 'none';
  temporalCli: 'found' | 'buildable' | 'missing';
  /** The cluster's Temporal server, SQL tool and UI server (purpose `cluster` only). */
  clusterTools?: 'found' | 'buildable' | 'missing';
  /** Only looked at when the Temporal CLI or the cluster's tools have to be built. */
  caCertificates: boolean;
  kamailio: boolean;
  kamailioPostgresModule: boolean;
  sipp: boolean;
  /** Tests only, like SIPp: a real SIP user agent, and a PDF reader. */
  baresip: boolean;
  pdftotext: boolean;
  chromium: boolean;
  postgres: 'answers' | 'stopped' | 'absent';
  /** The newest installed PostgreSQL (directory under /etc/postgresql), when installed. */
  postgresVersion?: string;
}

export interface DecideOptions {
  purpose: Purpose;
  /** Browser tests exist and should run: Chromium becomes a requirement. */
  browser?: boolean;
}

export type Plan =
  | { kind: 'ready' }
  | {
      kind: 'setup';
      sudo: boolean;
      packages: Package[];
      /** Start an installed cluster, or set up a freshly installed one (loopback trust, start). */
      postgres: 'none' | 'start' | 'install';
      postgresVersion?: string;
      /** What is about to happen, one line each. */
      lines: string[];
    }
  | { kind: 'stop'; reason: string; command?: string };

/** The packages this purpose needs that the survey did not find. */
export function missingPackages(survey: Survey, options: DecideOptions): Package[] {
  const missing: Package[] = [];
  if ((survey.temporalCli === 'buildable' || survey.clusterTools === 'buildable') && !survey.caCertificates)
    missing.push(PACKAGES.caCertificates);
  if (!survey.kamailio) missing.push(PACKAGES.kamailio);
  if (!survey.kamailioPostgresModule) missing.push(PACKAGES.kamailioPostgres);
  if (options.purpose === 'test' && !survey.sipp) missing.push(PACKAGES.sipp);
  if (options.purpose === 'test' && !survey.baresip) missing.push(PACKAGES.baresip);
  if (options.purpose === 'test' && !survey.pdftotext) missing.push(PACKAGES.poppler);
  if (survey.postgres === 'absent') missing.push(PACKAGES.postgresql);
  if (options.browser && !survey.chromium) missing.push(PACKAGES.chromium);
  return missing;
}

/** What to do about a survey: nothing, install and start things, or stop with a command. */
export function decide(survey: Survey, options: DecideOptions): Plan {
  if (survey.temporalCli === 'missing') {
    return {
      kind: 'stop',
      reason: 'no Temporal CLI (`temporal` on PATH or TEMPORAL_CLI) and no Go to build one',
      command: 'install Go (https://go.dev/dl/, into /usr/local/go) or the Temporal CLI (https://docs.temporal.io/cli)',
    };
  }
  if (options.purpose === 'cluster' && survey.clusterTools === 'missing') {
    return {
      kind: 'stop',
      reason: 'the Temporal server, its SQL tool and the UI server are not built, and there is no Go to build them',
      command: 'install Go (https://go.dev/dl/, into /usr/local/go)',
    };
  }
  const packages = missingPackages(survey, options);
  const postgres = survey.postgres === 'answers' ? 'none' : survey.postgres === 'stopped' ? 'start' : 'install';
  if (packages.length === 0 && postgres === 'none') return { kind: 'ready' };

  const lines = [
    ...packages.map((p) => `installing ${p.name}: ${p.why}`),
    ...(postgres === 'start'
      ? [`starting PostgreSQL ${survey.postgresVersion}: ${PACKAGES.postgresql.why} is installed but not running`]
      : []),
    ...(postgres === 'install'
      ? [`setting up PostgreSQL: trust for ${TRUST_LINE.replace(/^host /, '')}, then start it`]
      : []),
  ];
  const what = [
    ...(packages.length > 0 ? [`missing: ${packages.map((p) => p.name).join(', ')}`] : []),
    ...(postgres === 'start'
      ? [`PostgreSQL ${survey.postgresVersion} is installed but not answering on ${POSTGRES.host}:${POSTGRES.port}`]
      : []),
  ].join('; ');

  if (!survey.apt) {
    return {
      kind: 'stop',
      reason: `${what}. Only Debian and Ubuntu are set up automatically; install the equivalent packages (Debian names: ${packages.map((p) => p.name).join(', ') || 'none'}) and make PostgreSQL answer on ${POSTGRES.host}:${POSTGRES.port}, or set SKIP_SYSTEM_SETUP=1`,
    };
  }
  if (survey.privilege === 'none') {
    return {
      kind: 'stop',
      reason: `${what}, and this user is not root and has no non-interactive sudo`,
      command: manualCommand(packages, postgres, survey.postgresVersion),
    };
  }
  return {
    kind: 'setup',
    sudo: survey.privilege === 'sudo',
    packages,
    postgres,
    postgresVersion: survey.postgresVersion,
    lines,
  };
}

/** The one command a person with sudo runs to do what `setup` would have done. */
export function manualCommand(packages: Package[], postgres: 'none' | 'start' | 'install', version?: string): string {
  const install =
    packages.length > 0 ? `apt-get install -y --no-install-recommends ${packages.map((p) => p.name).join(' ')}` : '';
  if (postgres === 'none') return `sudo ${install}`;
  if (postgres === 'start' && !install) return `sudo pg_ctlcluster ${version} main start`;
  if (postgres === 'start') return `sudo ${install} && sudo pg_ctlcluster ${version} main start`;
  return `sudo sh -c '${[install, postgresSetupScript()].filter(Boolean).join(' && ')}'`;
}

/** Loopback trust and a running cluster for a freshly installed PostgreSQL (what CI always did). */
function postgresSetupScript(): string {
  return [
    'v=$(ls /etc/postgresql | sort -V | tail -n 1)',
    'hba=/etc/postgresql/$v/main/pg_hba.conf',
    `{ grep -q "^${TRUST_LINE}" $hba || sed -i "1i ${TRUST_LINE}" $hba; }`,
    '{ pg_ctlcluster $v main start || pg_ctlcluster $v main reload; }',
  ].join(' && ');
}

// ---------------------------------------------------------------------------------------------
// Probes

export interface Probes {
  osRelease(): Promise<string | undefined>;
  uid(): number;
  sudoNonInteractive(): Promise<boolean>;
  /** An executable by name, on PATH and then in `extraDirs`. */
  which(name: string, extraDirs?: string[]): Promise<string | undefined>;
  exists(file: string): Promise<boolean>;
  /** Kamailio's module directories (they carry the architecture triplet on Debian). */
  kamailioModuleDirs(): Promise<string[]>;
  postgresAnswers(): Promise<boolean>;
  postgresVersions(): Promise<string[]>;
  temporalCli(): Promise<Survey['temporalCli']>;
  /** Asked for purpose `cluster` only. */
  clusterTools?(): Promise<NonNullable<Survey['clusterTools']>>;
}

export function systemProbes(env: NodeJS.ProcessEnv = process.env): Probes {
  const which = async (name: string, extraDirs: string[] = []) => {
    const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (await isExecutable(file)) return file;
    }
    return undefined;
  };
  return {
    osRelease: () => fs.readFile('/etc/os-release', 'utf8').catch(() => undefined),
    uid: () => process.getuid?.() ?? -1,
    sudoNonInteractive: async () =>
      (await which('sudo')) !== undefined && (await run('sudo', ['-n', 'true'], { quiet: true, env })) === 0,
    which,
    exists: (file) =>
      fs.access(file).then(
        () => true,
        () => false,
      ),
    kamailioModuleDirs: async () => {
      const lib = await fs.readdir('/usr/lib').catch(() => [] as string[]);
      return [
        ...lib.map((d) => `/usr/lib/${d}/kamailio/modules`),
        '/usr/lib/kamailio/modules',
        '/usr/local/lib64/kamailio/modules',
        '/usr/local/lib/kamailio/modules',
      ];
    },
    postgresAnswers: async () => {
      const isReady = await which('pg_isready', ['/usr/bin']);
      if (isReady)
        return (
          (await run(isReady, ['-q', '-h', POSTGRES.host, '-p', String(POSTGRES.port)], { quiet: true, env })) === 0
        );
      return tcpOpen(POSTGRES.host, POSTGRES.port);
    },
    postgresVersions: async () =>
      (await fs.readdir('/etc/postgresql').catch(() => [] as string[]))
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(a) - Number(b)),
    temporalCli: async () => {
      try {
        await resolveTemporalCli({ env, build: false });
        return 'found';
      } catch (error) {
        if (!(error instanceof TemporalCliNotFoundError)) throw error;
        // A set TEMPORAL_CLI that is wrong is not something Go can fix.
        if (env.TEMPORAL_CLI) throw error;
        const go = (await which('go')) ?? (await firstExecutable(DEFAULT_GO_LOCATIONS));
        return go ? 'buildable' : 'missing';
      }
    },
    clusterTools: () => clusterToolsState(env),
  };
}

export async function survey(probes: Probes, options: DecideOptions): Promise<Survey> {
  const osRelease = parseOsRelease((await probes.osRelease()) ?? '');
  const debianLike = [osRelease.ID, ...(osRelease.ID_LIKE ?? '').split(/\s+/)].some(
    (id) => id === 'debian' || id === 'ubuntu',
  );
  const temporalCli = await probes.temporalCli();
  const clusterTools = options.purpose === 'cluster' ? ((await probes.clusterTools?.()) ?? 'missing') : undefined;
  const moduleDirs = await probes.kamailioModuleDirs();
  let kamailioPostgresModule = false;
  for (const dir of moduleDirs)
    if (!kamailioPostgresModule && (await probes.exists(path.join(dir, 'db_postgres.so'))))
      kamailioPostgresModule = true;
  const versions = await probes.postgresVersions();
  const answers = await probes.postgresAnswers();
  const uid = probes.uid();
  return {
    apt: debianLike && (await probes.which('apt-get', ['/usr/bin'])) !== undefined,
    privilege: uid === 0 ? 'root' : (await probes.sudoNonInteractive()) ? 'sudo' : 'none',
    temporalCli,
    ...(clusterTools ? { clusterTools } : {}),
    caCertificates:
      (temporalCli !== 'buildable' && clusterTools !== 'buildable') ||
      (await probes.exists('/etc/ssl/certs/ca-certificates.crt')),
    kamailio: (await probes.which('kamailio', SBIN_DIRS)) !== undefined,
    kamailioPostgresModule,
    // The tests spawn `sipp` by name, so only PATH counts.
    sipp: options.purpose !== 'test' || (await probes.which('sipp')) !== undefined,
    baresip: options.purpose !== 'test' || (await probes.which('baresip')) !== undefined,
    pdftotext: options.purpose !== 'test' || (await probes.which('pdftotext')) !== undefined,
    chromium: !options.browser || (await probes.which('chromium')) !== undefined,
    postgres: answers ? 'answers' : versions.length > 0 ? 'stopped' : 'absent',
    postgresVersion: versions.at(-1),
  };
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) out[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Carrying out a plan

export class PrerequisitesError extends Error {
  override name = 'PrerequisitesError';
}

export interface EnsureOptions extends DecideOptions {
  env?: NodeJS.ProcessEnv;
  probes?: Probes;
  log?: (line: string) => void;
  /** Runs a command (apt-get, sh, pg_ctlcluster); returns its exit code. */
  exec?: (command: string, args: string[]) => Promise<number>;
}

/**
 * Checks, installs what is missing where allowed, and throws a PrerequisitesError naming the
 * command to run where not. Does nothing with SKIP_SYSTEM_SETUP=1.
 */
export async function ensurePrerequisites(options: EnsureOptions): Promise<'skipped' | 'ready' | 'installed'> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (env.SKIP_SYSTEM_SETUP === '1') {
    log('prerequisites: SKIP_SYSTEM_SETUP=1, system packages and PostgreSQL not checked');
    return 'skipped';
  }
  const probes = options.probes ?? systemProbes(env);
  const exec =
    options.exec ??
    ((command: string, args: string[]) => run(command, args, { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } }));
  const found = await survey(probes, options);
  const plan = decide(found, options);
  if (plan.kind === 'ready') {
    log(
      `prerequisites: ready (Kamailio, ${options.purpose === 'test' ? 'SIPp, baresip, pdftotext, ' : ''}PostgreSQL${options.browser ? ', Chromium' : ''}; Temporal CLI ${found.temporalCli === 'found' ? 'found' : 'to be built'}${found.clusterTools ? `; Temporal server, SQL tool and UI ${found.clusterTools === 'found' ? 'found' : 'to be built'}` : ''})`,
    );
    return 'ready';
  }
  if (plan.kind === 'stop') {
    throw new PrerequisitesError(
      [
        `prerequisites: ${plan.reason}.`,
        ...(plan.command ? ['Run this, then try again:', '', `  ${plan.command}`, ''] : []),
        'SKIP_SYSTEM_SETUP=1 skips this check (without these, npm start runs no local SBC and the SIP tests fail).',
      ].join('\n'),
    );
  }

  for (const line of plan.lines) log(`prerequisites: ${line}`);
  const as = (command: string, args: string[]) =>
    plan.sudo ? exec('sudo', ['-n', command, ...args]) : exec(command, args);
  const must = async (what: string, code: Promise<number>) => {
    if ((await code) !== 0) throw new PrerequisitesError(`prerequisites: ${what} failed; see the output above`);
  };
  if (plan.packages.length > 0) {
    await must('apt-get update', as('apt-get', ['update']));
    await must(
      'apt-get install',
      as('apt-get', ['install', '-y', '--no-install-recommends', ...plan.packages.map((p) => p.name)]),
    );
  }
  if (plan.postgres === 'start')
    await must(
      `pg_ctlcluster ${plan.postgresVersion} main start`,
      as('pg_ctlcluster', [plan.postgresVersion!, 'main', 'start']),
    );
  if (plan.postgres === 'install') await must('PostgreSQL set-up', as('sh', ['-c', postgresSetupScript()]));
  if (plan.postgres !== 'none') {
    const deadline = Date.now() + 30_000;
    while (!(await probes.postgresAnswers())) {
      if (Date.now() > deadline)
        throw new PrerequisitesError(
          `prerequisites: PostgreSQL does not answer on ${POSTGRES.host}:${POSTGRES.port} after starting it`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  // What was installed must now be found, or the next step would fail less clearly.
  const after = decide(await survey(probes, options), options);
  if (after.kind !== 'ready') {
    throw new PrerequisitesError(
      `prerequisites: still missing after installing: ${after.kind === 'setup' ? after.lines.join('; ') : after.reason}`,
    );
  }
  log('prerequisites: ready');
  return 'installed';
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function firstExecutable(files: string[]): Promise<string | undefined> {
  for (const file of files) if (await isExecutable(file)) return file;
  return undefined;
}

function run(
  command: string,
  args: string[],
  options: { quiet?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  return new Promise((resolve) => {
    // apt's progress goes to stderr: stdout of `tsx dev/prerequisites.ts` stays the CLI path alone.
    const child = spawn(command, args, {
      env: options.env,
      stdio: options.quiet ? 'ignore' : ['ignore', process.stderr, process.stderr],
    });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function parseArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): DecideOptions & { temporalCli: boolean } {
  const forIndex = args.indexOf('--for');
  const purpose = forIndex >= 0 ? args[forIndex + 1] : 'test';
  if (purpose !== 'start' && purpose !== 'test' && purpose !== 'cluster')
    throw new Error(`--for takes start, test or cluster, not ${purpose}`);
  return {
    purpose,
    // The console's browser tests are part of `npm test`, so its machine needs Chromium.
    browser: purpose === 'test' || args.includes('--browser') || env.BROWSER_TESTS === '1',
    temporalCli: !args.includes('--no-temporal-cli'),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  await ensurePrerequisites(options);
  if (options.temporalCli) {
    // Built here (once, into the user cache) so the command's own steps find it ready.
    const cli = await resolveTemporalCli();
    process.stderr.write(`prerequisites: Temporal CLI ${cli}\n`);
  }
  if (options.purpose === 'cluster') {
    const tools = await resolveClusterTools();
    process.stderr.write(`prerequisites: Temporal server ${tools.server}, SQL tool ${tools.sqlTool}, UI ${tools.ui}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
