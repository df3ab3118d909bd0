/**
 * The project's reference (docs/reference.md) and README against the code: the
 * tables of the reference are read and compared, both ways, with what the code
 * decides, reads, writes and accepts. A name added on one side only fails here.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUDIT_FIELDS } from '../../lib/audit';
import { readSmnAuthConfig } from '../../lib/auth/config';
import { DEFAULT_TIMEOUT_MS as DCS_DEFAULT_TIMEOUT_MS } from '../../lib/dcs/config';
import { DECISION_KINDS } from '../../lib/domain/types';
import { DEFAULT_KEY_PREFIX } from '../../lib/guard';
import { main } from '../../bin/dcs-session-guard';
import { EXIT } from '../../bin/cli/io';
import { installedLayout } from '../../dev/runner/layout';
import { markdownLinks, REFERENCE, ROOT, tableRows } from './support';

const reference = fs.readFileSync(REFERENCE, 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
/** The first column's `name`, for tables whose first cell is one code span. */
const names = (heading: string): string[] => tableRows(reference, heading).map((row) => code(row[0]!)[0]!);

describe('decisions', () => {
  const documented = names('## Decisions');

  it('the reference lists exactly the decisions the code makes, in its order', () => {
    expect(documented).toEqual([...DECISION_KINDS]);
  });
  it('the README names every one', () => {
    for (const kind of DECISION_KINDS) expect(readme).toContain(`\`${kind}\``);
  });
});

describe('environment variables', () => {
  const rows = tableRows(reference, '## Environment variables');
  const documented = rows.flatMap((row) => code(row[0]!));
  const defaultOf = (name: string): string => rows.find((row) => code(row[0]!).includes(name))![2]!;

  /** Every variable the product's code reads (env.X, env['X'], or a quoted name), outside dev/ and bin/. */
  const readByCode = (): string[] => {
    const files = execFileSync('git', ['ls-files', 'lib', 'functions'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
    const found = new Set<string>();
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:env\.|env\[['"])([A-Z][A-Z0-9_]+)|['"`]((?:HUAWEICLOUD_SDK|CLOUD_SDK|DCS|GUARD|SMN|CES)_[A-Z0-9_]+)/g)) found.add((m[1] ?? m[2])!);
    }
    return [...found].sort();
  };

  it('the reference documents exactly the variables the code reads', () => {
    expect(documented.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual(readByCode());
  });
  it('the README names every one', () => {
    for (const name of documented) expect(readme).toContain(`\`${name}\``);
  });
  it('the documented defaults are the code’s', () => {
    expect(defaultOf('DCS_TIMEOUT_MS')).toBe(`\`${DCS_DEFAULT_TIMEOUT_MS}\``);
    expect(defaultOf('GUARD_REDIS_PREFIX')).toBe(`\`${DEFAULT_KEY_PREFIX}\``);
    const smn = readSmnAuthConfig({});
    if (!smn.ok) throw smn.error;
    expect(defaultOf('SMN_MAX_AGE_SECONDS')).toBe(`\`${smn.value.maxAgeSeconds}\``);
    expect(defaultOf('SMN_ALLOW_UNSIGNED')).toBe(`\`${smn.value.allowUnsigned}\``);
  });
});

describe('policy', () => {
  const rows = tableRows(reference, 'Every field:');
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'policy.schema.json'), 'utf8'));

  /** Every field path of the published JSON Schema, with its default when it has a scalar or list one. */
  function schemaFields(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const resolve = (node: any): any => (node?.$ref ? resolve(schema.$defs[node.$ref.replace('#/$defs/', '')]) : node);
    const walk = (raw: any, prefix: string): void => {
      const node = resolve(raw);
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        const p = prefix ? `${prefix}.${key}` : key;
        const d = resolve(child)?.default;
        out.push([p, d === undefined || (typeof d === 'object' && !Array.isArray(d)) ? '' : `\`${typeof d === 'string' ? d : JSON.stringify(d)}\``]);
        walk(child, p);
      }
      if (node.items) walk(node.items, `${prefix}[]`);
      if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${prefix}.<name>`);
      for (const k of ['anyOf', 'oneOf', 'allOf']) for (const alt of node[k] ?? []) walk(alt, prefix);
    };
    walk(schema, '');
    return out;
  }

  it('the reference lists every field of the schema with its default, and no other', () => {
    const documented = rows.map((row) => [code(row[0]!)[0]!, row[1]!] as [string, string]);
    expect(documented.length).toBeGreaterThan(30);
    expect(documented).toEqual(schemaFields());
  });
});

describe('audit record', () => {
  it('the reference lists every field, in the order lines print them', () => {
    expect(names('## Audit record')).toEqual([...AUDIT_FIELDS]);
  });
  it('the README names every one', () => {
    for (const field of AUDIT_FIELDS) expect(readme).toContain(`\`${field}\``);
  });
});

describe('CLI', () => {
  async function run(argv: string[]): Promise<string> {
    let out = '';
    const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (out += `${t}\n`), env: {}, cwd: ROOT, layout: installedLayout() };
    expect(await main(argv, io)).toBe(EXIT.OK);
    return out;
  }
  const rows = tableRows(reference, '## CLI');

  it('the reference lists exactly the commands of the CLI', async () => {
    const usage = await run(['--help']);
    const commands = usage.split('Commands:\n')[1]!.split('\n\n')[0]!.split('\n').map((l) => l.trim().split(/\s+/)[0]!);
    expect(names('## CLI')).toEqual(commands);
  });
  it('and every option of each command', async () => {
    for (const row of rows) {
      const name = code(row[0]!)[0]!;
      if (name === 'help' || name === 'emulator') continue; // emulator's options are its own --help
      const options = new Set([...(await run(['help', name])).matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]).filter((o) => o !== '--help'));
      expect(options.size).toBeGreaterThan(0);
      for (const option of options) expect(`${name}: ${row[1]}`).toContain(option);
    }
  });
  it('its exit codes are the CLI’s', () => {
    expect(tableRows(reference, 'Exit codes:').map((row) => Number(row[0]))).toEqual(Object.values(EXIT));
  });
  it('the package bin is the launcher the reference names', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(reference).toContain(`\`${pkg.bin['dcs-session-guard']}\``);
  });
});

describe('build outputs', () => {
  it('every file the reference lists exists after the build (jest’s global setup runs it)', () => {
    const files = names('## Build outputs');
    expect(files).toEqual(expect.arrayContaining(['dist/alarm/index.js', 'dist/cron/index.js', 'dist/alarm.zip', 'dist/cron.zip']));
    for (const file of files) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });
});

describe('self-contained', () => {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

  it('the link check sees the links (the README links the docs)', () => {
    expect(markdownLinks(readme)).toEqual(expect.arrayContaining(['docs/reference.md', 'docs/local.md', 'docs/guard.md']));
  });

  it.each(tracked)('%s links only to files inside the repository that exist', (file) => {
    for (const target of markdownLinks(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      const resolved = path.resolve(ROOT, path.dirname(file), target);
      expect({ target, inside: resolved.startsWith(`${ROOT}${path.sep}`), exists: fs.existsSync(resolved) }).toEqual({ target, inside: true, exists: true });
    }
  });
});
