/** What the machine has, each from one probe: the survey `decide` reads. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { POSTGRES, type DecideOptions, type Survey } from './prerequisites-policy';
import { tcpOpen } from './supervisor';
import {
  DEFAULT_GO_LOCATIONS,
  firstExecutable,
  isExecutableFile,
  resolveTemporalCli,
  TemporalCliNotFoundError,
} from './temporal-cli';
import { clusterToolsState } from './temporal-server';

const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

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
      if (await isExecutableFile(file)) return file;
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

export function run(
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
