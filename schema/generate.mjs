// Writes schema/policy.schema.json from the zod policy schema (lib/policy/schema.ts).
// Run: npm run schema. A test (test/policy/json-schema.test.ts) fails when the file is stale.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bundled = await build({
  entryPoints: ['lib/policy/json-schema.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', bundled.outputFiles[0].text)(module, module.exports, require);
const { policyJsonSchemaText, POLICY_SCHEMA_FILE } = module.exports;
writeFileSync(POLICY_SCHEMA_FILE, policyJsonSchemaText());
console.log(`wrote ${POLICY_SCHEMA_FILE}`);
