// Builds one CommonJS bundle per FunctionGraph function, plus its deployable zip.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import * as path from 'node:path';
import { zipSync } from 'fflate';

const FUNCTIONS = ['alarm', 'cron'];
const POLICY = 'deploy/policy.yaml';
/** The packaged policy's build-checked form, beside it (lib/policy/checked.ts). */
const CHECKED_POLICY = 'policy.checked.json';
/**
 * This build's id, written into every bundle (lib/policy/checked.ts BUILD_ID): a
 * function trusts only a policy.checked.json written by the same code. A digest of
 * what the bundles are made of (our sources, the locked dependencies, this file), not
 * a random one: the same checkout builds the same bytes, and deploy compares zip hashes.
 */
const BUILD_ID = (() => {
  const sources = ['lib', 'functions'].flatMap((dir) => readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))));
  const files = ['package-lock.json', 'esbuild.config.mjs', ...sources.filter((f) => statSync(f).isFile())].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 24);
})();
const quiet = process.argv.includes('--quiet');

/**
 * Heavy code that only some invocations need: each is built as a file beside
 * index.js and require()d on first use, so a cold start reads, parses and
 * evaluates only what the event in hand needs (docs/performance.md).
 */
const LAZY_FILES = [
  // sdk-core with axios, log4js, lodash, moment: loaded by the first DCS call.
  { source: 'lib/sdk-core/sdk-core-modules.ts', file: 'sdk.js' },
  // ioredis: loaded when the first Redis guard store is built (GUARD_REDIS_URL set).
  { source: 'lib/guard/ioredis-module.ts', file: 'redis.js' },
  // The full policy validation (zod's policy schema): loaded when the policy has no valid
  // build-checked form (policy.checked.json), or is inline JSON, or is invalid.
  { source: 'lib/policy/validate-module.ts', file: 'policy-schema.js' },
  // yaml: loaded by policy-schema.js for a YAML policy, and to locate the problems of an invalid one.
  { source: 'lib/policy/yaml-module.ts', file: 'yaml.js' },
  // The acting code (DCS client, guard, executor, actions, targets, SMN authentication, sinks):
  // loaded when an event may act or came over HTTP; a rejected or skipped one never compiles it.
  { source: 'lib/runtime/acting-module.ts', file: 'act.js' },
];

/** Turns imports of a LAZY_FILES source into require('./<file>'), left for Node to resolve beside index.js. */
const lazyFilesExternal = {
  name: 'lazy-files-external',
  setup(b) {
    const byPath = new Map(LAZY_FILES.map((l) => [path.resolve(l.source), l.file]));
    const names = LAZY_FILES.map((l) => path.basename(l.source, '.ts')).join('|');
    b.onResolve({ filter: new RegExp(`/(${names})(\\.ts)?$`) }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const file = byPath.get(path.resolve(args.resolveDir, args.path.replace(/(\.ts)?$/, '.ts')));
      return file ? { path: `./${file}`, external: true } : undefined;
    });
  },
};

async function buildFunction(name) {
  const outdir = `dist/${name}`;
  mkdirSync(outdir, { recursive: true });
  const entryPoints = { index: `functions/${name}.ts` };
  for (const l of LAZY_FILES) entryPoints[path.basename(l.file, '.js')] = l.source;
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [lazyFilesExternal],
    define: { __GUARD_BUILD_ID__: JSON.stringify(BUILD_ID) },
  });
  copyFileSync(POLICY, `${outdir}/policy.yaml`);
  writeFileSync(`${outdir}/${CHECKED_POLICY}`, checkedPolicy(outdir));
  const files = { 'index.js': readFileSync(`${outdir}/index.js`), 'policy.yaml': readFileSync(POLICY), [CHECKED_POLICY]: readFileSync(`${outdir}/${CHECKED_POLICY}`) };
  for (const { file } of LAZY_FILES) files[file] = readFileSync(`${outdir}/${file}`);
  writeFileSync(`dist/${name}.zip`, zipSync(files, { level: 9 }));
  return { name, metafile: result.metafile };
}

/**
 * The packaged policy validated by the bundle's own validator (the code that would
 * validate it at run time), as policy.checked.json; an invalid policy fails the build
 * with the located message the function would give.
 */
function checkedPolicy(outdir) {
  const validator = createRequire(import.meta.url)(path.resolve(outdir, 'policy-schema.js'));
  const checked = validator.checkPolicyText(readFileSync(POLICY, 'utf8'), 'yaml');
  if (!checked.ok) throw new Error(validator.formatFailure('policy', POLICY, checked.error.issues));
  if (checked.value.build !== BUILD_ID) throw new Error(`${outdir}/policy-schema.js is not of this build`);
  return checked.value.checked;
}

function report({ name }) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const file of ['index.js', ...LAZY_FILES.map((l) => l.file)]) {
    const js = readFileSync(`dist/${name}/${file}`);
    console.log(`dist/${name}/${file.padEnd(16)} ${kb(js.length).padStart(9)}  (gzip ${kb(gzipSync(js).length)})`);
  }
  console.log(`dist/${name}.zip ${kb(statSync(`dist/${name}.zip`).size).padStart(22)}`);
}

// Developer tools (emulator, local runner, CLI): bundled too, so they start fast without a TS loader.
const TOOLS = {
  'dist/dev/emulator.js': 'dev/emulator/main.ts',
  // The CLI (package bin) and the child process that plays a warm function container.
  'dist/cli.js': 'bin/dcs-session-guard.ts',
  'dist/dev/function-host.js': 'dev/runner/function-host.ts',
};
// The Huawei SDKs stay in node_modules for the tools (the package's dependencies): the
// FunctionGraph SDK alone would add megabytes that every CLI start would parse, and
// core must be one instance with it (silenced once, hardened once: lib/sdk-core/hardened.ts).
const TOOL_EXTERNALS = ['@huaweicloud/*'];
async function buildTool(outfile, entry) {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning', external: TOOL_EXTERNALS });
}

const [built] = await Promise.all([
  Promise.all(FUNCTIONS.map(buildFunction)),
  Promise.all(Object.entries(TOOLS).filter(([, e]) => existsSync(e)).map(([o, e]) => buildTool(o, e))),
]);
writeFileSync('dist/meta.json', JSON.stringify(Object.fromEntries(built.map((b) => [b.name, b.metafile]))));
if (!quiet) built.forEach(report);
