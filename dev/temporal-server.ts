/**
 * The Go programs `npm run cluster` runs: the Temporal server, its SQL schema tool and the
 * Temporal UI server, at the versions the pinned Temporal CLI embeds (its go.mod), so the cluster
 * runs the same server code as the dev server the tests use. Each is built once with
 * `go install` into the user cache beside the CLI, like the CLI itself.
 *
 *   tsx dev/temporal-server.ts   builds what is missing and prints the paths
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { findGo, goInstall, isExecutableFile, toolCacheDir } from './temporal-cli';

/** go.temporal.io/server as required by github.com/temporalio/cli@v1.5.1. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** github.com/temporalio/ui-server/v2 as required by the same CLI; the module embeds the UI's assets. */
export const TEMPORAL_UI_VERSION = 'v2.42.1';

export interface GoTool {
  /** The binary's name in the cache. */
  binary: string;
  /** The package `go install` builds (its binary is named after the last path element). */
  pkg: string;
  version: string;
  /** The cache directory's name. */
  dir: string;
}

export const CLUSTER_TOOLS = {
  server: {
    binary: 'temporal-server',
    pkg: 'go.temporal.io/server/cmd/server',
    version: TEMPORAL_SERVER_VERSION,
    dir: 'temporal-server',
  },
  sqlTool: {
    binary: 'temporal-sql-tool',
    pkg: 'go.temporal.io/server/cmd/tools/sql',
    version: TEMPORAL_SERVER_VERSION,
    dir: 'temporal-server',
  },
  ui: {
    binary: 'temporal-ui-server',
    pkg: 'github.com/temporalio/ui-server/v2/cmd/server',
    version: TEMPORAL_UI_VERSION,
    dir: 'temporal-ui-server',
  },
} satisfies Record<string, GoTool>;

export type ClusterTools = Record<keyof typeof CLUSTER_TOOLS, string>;

export class ClusterToolsError extends Error {
  override name = 'ClusterToolsError';
}

export function toolPath(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCacheDir(tool.dir, tool.version, env), tool.binary);
}

/** Which of the tools are not in the cache yet. */
export async function missingClusterTools(env: NodeJS.ProcessEnv = process.env): Promise<GoTool[]> {
  const missing: GoTool[] = [];
  for (const tool of Object.values(CLUSTER_TOOLS))
    if (!(await isExecutableFile(toolPath(tool, env)))) missing.push(tool);
  return missing;
}

/** 'found' when all are cached, else whether Go is there to build them. */
export async function clusterToolsState(
  env: NodeJS.ProcessEnv = process.env,
): Promise<'found' | 'buildable' | 'missing'> {
  if ((await missingClusterTools(env)).length === 0) return 'found';
  return (await findGo(env)) ? 'buildable' : 'missing';
}

/**
 * The paths of the three tools, building the missing ones first (minutes, once per version).
 * Tools of one module version are built in one `go install`.
 */
export async function resolveClusterTools(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<ClusterTools> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const missing = await missingClusterTools(env);
  if (missing.length > 0) {
    const go = await findGo(env);
    if (!go) {
      throw new ClusterToolsError(
        `${missing.map((t) => t.binary).join(', ')} not built yet, and there is no Go to build them: install Go ` +
          `(https://go.dev/dl/, into /usr/local/go or on PATH).`,
      );
    }
    const groups = new Map<string, GoTool[]>();
    for (const tool of missing)
      groups.set(`${tool.dir}@${tool.version}`, [...(groups.get(`${tool.dir}@${tool.version}`) ?? []), tool]);
    for (const tools of groups.values()) {
      const first = tools[0]!;
      const dir = toolCacheDir(first.dir, first.version, env);
      // go install names binaries after their package (`server`, `sql`): build aside, then rename.
      const staging = path.join(dir, '.build');
      await fs.rm(staging, { recursive: true, force: true });
      await fs.mkdir(staging, { recursive: true });
      const packages = tools.map((t) => `${t.pkg}@${t.version}`);
      log(
        `building ${tools.map((t) => t.binary).join(' and ')} ${first.version} with go install (a few minutes, once)…`,
      );
      const started = Date.now();
      const code = await goInstall(go, packages, staging, env);
      if (code !== 0) {
        throw new ClusterToolsError(
          `go install ${packages.join(' ')} failed (exit code ${code}); see the output above.`,
        );
      }
      for (const tool of tools) {
        await fs.rename(path.join(staging, path.basename(tool.pkg)), path.join(dir, tool.binary));
      }
      await fs.rm(staging, { recursive: true, force: true });
      log(`built ${tools.map((t) => t.binary).join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)}s (${dir})`);
    }
  }
  return {
    server: toolPath(CLUSTER_TOOLS.server, env),
    sqlTool: toolPath(CLUSTER_TOOLS.sqlTool, env),
    ui: toolPath(CLUSTER_TOOLS.ui, env),
  };
}

if (require.main === module) {
  resolveClusterTools().then(
    (tools) => process.stdout.write(`${Object.values(tools).join('\n')}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
