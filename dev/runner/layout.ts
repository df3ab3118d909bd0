/**
 * Where the built artefacts and the runner's files are. Everything is found from the project
 * root, which the CLI derives from its own location (dist/cli.js -> the folder above dist/).
 */
import * as path from 'node:path';

export type FunctionKind = 'alarm' | 'cron';
export const FUNCTION_KINDS: readonly FunctionKind[] = ['alarm', 'cron'];

export interface Layout {
  root: string;
  /** dist/<fn>/index.js */
  bundle(fn: FunctionKind): string;
  /** dist/<fn>/policy.yaml: the policy packaged beside the bundle. */
  packagedPolicy(fn: FunctionKind): string;
  /** The child process that plays a warm container. */
  functionHost: string;
  /** The emulator CLI bundle (dev/emulator/main.ts). */
  emulatorCli: string;
  demoPolicy: string;
  samplesDir: string;
  /** The default policy a user edits and deploys. */
  deployPolicy: string;
}

/** The deployed function names (serverless.yml), used in contexts and events. */
export const FUNCTION_NAMES: Record<FunctionKind, string> = {
  alarm: 'dcs-session-guard-alarm',
  cron: 'dcs-session-guard-cron',
};

export function layoutAt(root: string): Layout {
  const dist = path.join(root, 'dist');
  return {
    root,
    bundle: (fn) => path.join(dist, fn, 'index.js'),
    packagedPolicy: (fn) => path.join(dist, fn, 'policy.yaml'),
    functionHost: path.join(dist, 'dev', 'function-host.js'),
    emulatorCli: path.join(dist, 'dev', 'emulator.js'),
    demoPolicy: path.join(root, 'dev', 'runner', 'demo-policy.yaml'),
    samplesDir: path.join(root, 'dev', 'runner', 'samples'),
    deployPolicy: path.join(root, 'deploy', 'policy.yaml'),
  };
}

/** The layout of the running CLI: dist/cli.js lives one level below the root. */
export function installedLayout(): Layout {
  return layoutAt(path.resolve(__dirname, '..'));
}
