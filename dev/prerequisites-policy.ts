/**
 * What the machine must have, as a pure policy: the packages each purpose needs, and `decide`,
 * which turns what the probes found into nothing to do, a set-up, or a stop with a command.
 */

export type Purpose = 'start' | 'test' | 'cluster';

/** Where the SBC's database is expected (the default SBC_DATABASE_URL). */
export const POSTGRES = { host: '127.0.0.1', port: 5432 };
/** Loopback trust for the postgres user, as the tests and the default SBC_DATABASE_URL connect. */
const TRUST_LINE = 'host all all 127.0.0.1/32 trust';

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
export function postgresSetupScript(): string {
  return [
    'v=$(ls /etc/postgresql | sort -V | tail -n 1)',
    'hba=/etc/postgresql/$v/main/pg_hba.conf',
    `{ grep -q "^${TRUST_LINE}" $hba || sed -i "1i ${TRUST_LINE}" $hba; }`,
    '{ pg_ctlcluster $v main start || pg_ctlcluster $v main reload; }',
  ].join(' && ');
}
