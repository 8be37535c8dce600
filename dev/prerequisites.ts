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
import { postgresSetupScript, decide, POSTGRES, type DecideOptions } from './prerequisites-policy';
import { run, survey, systemProbes, type Probes } from './prerequisites-probes';
import { resolveTemporalCli } from './temporal-cli';
import { resolveClusterTools } from './temporal-server';

export * from './prerequisites-policy';
export * from './prerequisites-probes';

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
