/**
 * Finds a `temporal` CLI (the dev server and operator commands), building a pinned version once
 * with Go when none is installed.
 *
 * Order: TEMPORAL_CLI, `temporal` on PATH, the cached build, a fresh `go install` into the cache.
 * `npm run temporal:cli` prints the path it settles on (and builds it on a machine that has none).
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Newer tags of the CLI cannot be built with a plain `go install`; this one can. */
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;
/** Where Go is installed when it isn't on PATH (the official tarball's location). */
export const DEFAULT_GO_LOCATIONS = ['/usr/local/go/bin/go'];

export interface ResolveTemporalCliOptions {
  /** Environment to read TEMPORAL_CLI, PATH, HOME and XDG_CACHE_HOME from. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Build with Go when nothing is found. Default true. */
  build?: boolean;
  /** Places to look for `go` after PATH. */
  goLocations?: string[];
  /** Where progress is reported. Default process.stderr. */
  log?: (line: string) => void;
}

export class TemporalCliNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalCliNotFoundError';
  }
}

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return toolCacheDir('temporal-cli', TEMPORAL_CLI_VERSION, env);
}

/** Where a Go tool built by this project is kept: the user cache, one directory per tool and version. */
export function toolCacheDir(tool: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'telephony-onboarding', tool, version);
}

/** `go` on PATH, else in the usual install locations. */
export async function findGo(
  env: NodeJS.ProcessEnv = process.env,
  goLocations: string[] = DEFAULT_GO_LOCATIONS,
): Promise<string | undefined> {
  return (await findOnPath('go', env.PATH)) ?? (await firstExecutable(goLocations));
}

/**
 * `go install` of `packages` (each `module/path@version`) into `binDir`; returns Go's exit code.
 * Go's progress goes to stderr.
 */
export function goInstall(go: string, packages: string[], binDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  return run(go, ['install', ...packages], {
    ...env,
    GOBIN: binDir,
    // Go found outside PATH still needs its own bin dir there for the tools it runs.
    PATH: [path.dirname(go), env.PATH].filter(Boolean).join(path.delimiter),
  });
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const configured = loadConfig(env).temporal.cli;
  if (configured) {
    const absolute = path.resolve(configured);
    if (!(await isExecutableFile(absolute))) {
      throw new TemporalCliNotFoundError(
        `TEMPORAL_CLI is set to ${configured}, but there is no executable file there.`,
      );
    }
    return absolute;
  }

  const onPath = await findOnPath('temporal', env.PATH);
  if (onPath) return onPath;

  const cacheDir = temporalCliCacheDir(env);
  const cached = path.join(cacheDir, 'temporal');
  if (await isExecutableFile(cached)) return cached;

  const go = await findGo(env, options.goLocations);
  if (!go || options.build === false) {
    throw new TemporalCliNotFoundError(
      [
        'The Temporal CLI (`temporal`) was not found, and it cannot be built here.',
        'Either:',
        '  - install the Temporal CLI (https://docs.temporal.io/cli) so `temporal` is on PATH,',
        '    or set TEMPORAL_CLI to the path of the binary; or',
        `  - install Go (https://go.dev/dl/, into /usr/local/go or on PATH) so ${TEMPORAL_CLI_MODULE}`,
        `    can be built once into ${cacheDir}.`,
      ].join('\n'),
    );
  }

  await fs.mkdir(cacheDir, { recursive: true });
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (a few minutes, once)…`);
  // Go's progress goes to stderr so stdout stays the resolved path alone.
  const code = await goInstall(go, [TEMPORAL_CLI_MODULE], cacheDir, env);
  if (code !== 0 || !(await isExecutableFile(cached))) {
    throw new TemporalCliNotFoundError(
      `go install ${TEMPORAL_CLI_MODULE} failed (exit code ${code}); see the output above. ` +
        'Alternatively install the Temporal CLI yourself and put it on PATH or set TEMPORAL_CLI.',
    );
  }
  log(`built ${cached}`);
  return cached;
}

async function findOnPath(name: string, searchPath: string | undefined): Promise<string | undefined> {
  const dirs = (searchPath ?? '').split(path.delimiter).filter(Boolean);
  return firstExecutable(dirs.map((dir) => path.join(path.resolve(dir), name)));
}

export async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

if (require.main === module) {
  resolveTemporalCli().then(
    (cli) => process.stdout.write(`${cli}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
