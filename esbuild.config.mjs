// Builds one CommonJS bundle per FunctionGraph function, plus its deployable zip.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';

const FUNCTIONS = ['alarm', 'cron'];
const POLICY = 'deploy/policy.yaml';
const quiet = process.argv.includes('--quiet');

async function buildFunction(name) {
  const outdir = `dist/${name}`;
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [`functions/${name}.ts`],
    outfile: `${outdir}/index.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(POLICY, `${outdir}/policy.yaml`);
  const files = { 'index.js': readFileSync(`${outdir}/index.js`), 'policy.yaml': readFileSync(POLICY) };
  writeFileSync(`dist/${name}.zip`, zipSync(files, { level: 9 }));
  return { name, metafile: result.metafile };
}

function report({ name }) {
  const js = readFileSync(`dist/${name}/index.js`);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`dist/${name}/index.js  ${kb(js.length)}  (gzip ${kb(gzipSync(js).length)})  zip ${kb(statSync(`dist/${name}.zip`).size)}`);
}

// Developer tools (emulator, local runner, CLI): bundled too, so they start fast without a TS loader.
const TOOLS = {
  'dist/dev/emulator.js': 'dev/emulator/main.ts',
  // The CLI (package bin) and the child process that plays a warm function container.
  'dist/cli.js': 'bin/dcs-session-guard.ts',
  'dist/dev/function-host.js': 'dev/runner/function-host.ts',
};
async function buildTool(outfile, entry) {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning' });
}

const [built] = await Promise.all([
  Promise.all(FUNCTIONS.map(buildFunction)),
  Promise.all(Object.entries(TOOLS).filter(([, e]) => existsSync(e)).map(([o, e]) => buildTool(o, e))),
]);
writeFileSync('dist/meta.json', JSON.stringify(Object.fromEntries(built.map((b) => [b.name, b.metafile]))));
if (!quiet) built.forEach(report);
