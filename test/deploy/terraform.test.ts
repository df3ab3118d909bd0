/**
 * deploy/terraform, checked without a terraform binary: every .tf file parsed by HashiCorp's
 * own HCL parser (@cdktf/hcl2json, the Go hcl library compiled to wasm), then every resource
 * type and argument compared with the huaweicloud provider's documented arguments, every
 * variable declared, typed, documented and used, the IAM actions those of deploy/iam-policy.json,
 * and the outputs. What this cannot prove (a plan/apply against the provider) is said in
 * docs/deploy.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';

// Required, not imported: the package's type declarations pull in the DOM library, which
// changes Node's fetch types for the whole program.
const { parse } = require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<unknown> };

const MODULE = path.join(ROOT, 'deploy', 'terraform');

/**
 * The provider's documented arguments (huaweicloud/huaweicloud, v1.97 docs), `*` marking the
 * required ones; nested blocks as `block.argument`. Meta-arguments are allowed everywhere.
 */
const DOCUMENTED: Record<string, string[]> = {
  huaweicloud_fgs_function: ['name*', 'app*', 'runtime*', 'handler*', 'memory_size*', 'timeout*', 'code_type*', 'func_code', 'code_filename', 'user_data', 'encrypted_user_data', 'agency', 'app_agency', 'vpc_id', 'network_id', 'enable_lts_log', 'log_group_id', 'log_stream_id', 'description', 'tags'],
  huaweicloud_fgs_function_trigger: ['function_urn*', 'type*', 'event_data*', 'status'],
  huaweicloud_smn_topic: ['name*', 'display_name'],
  huaweicloud_ces_alarmrule: [
    'alarm_name*', 'metric*', 'metric.namespace', 'resources', 'resources.dimensions', 'resources.dimensions.name', 'resources.dimensions.value',
    'condition', 'condition.metric_name', 'condition.period', 'condition.filter', 'condition.comparison_operator', 'condition.value', 'condition.count',
    'condition.unit', 'condition.alarm_level', 'condition.suppress_duration', 'alarm_actions', 'alarm_actions.type', 'alarm_actions.notification_list',
    'ok_actions', 'ok_actions.type', 'ok_actions.notification_list', 'alarm_enabled',
  ],
  huaweicloud_identity_agency: ['name*', 'description', 'delegated_service_name', 'delegated_domain_name', 'project_role', 'project_role.project', 'project_role.roles', 'all_resources_roles'],
  huaweicloud_identity_role: ['name*', 'description*', 'type', 'policy'],
  huaweicloud_lts_group: ['group_name*', 'ttl_in_days'],
  huaweicloud_lts_stream: ['group_id*', 'stream_name*'],
};
const META = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']);

type Block = Record<string, unknown>;
interface Module {
  resource: Record<string, Record<string, Block[]>>;
  variable: Record<string, Block[]>;
  output: Record<string, Block[]>;
  locals: Block[];
  text: string;
}

async function loadModule(): Promise<Module> {
  const files = fs.readdirSync(MODULE).filter((f) => f.endsWith('.tf')).sort();
  const merged: Module = { resource: {}, variable: {}, output: {}, locals: [], text: '' };
  for (const file of files) {
    const text = fs.readFileSync(path.join(MODULE, file), 'utf8');
    const parsed = (await parse(file, text)) as Partial<Module>;
    merged.text += `${text}\n`;
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) merged.resource[type] = { ...merged.resource[type], ...byName };
    Object.assign(merged.variable, parsed.variable ?? {});
    Object.assign(merged.output, parsed.output ?? {});
    merged.locals.push(...(parsed.locals ?? []));
  }
  return merged;
}

/** Argument paths of a resource body: nested blocks (arrays of objects) become `block.arg`; map values (tags) stay one argument. */
function argumentPaths(body: Block, prefix = ''): string[] {
  return Object.entries(body).flatMap(([key, value]) => {
    const here = `${prefix}${key}`;
    if (Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      return [here, ...value.flatMap((v) => argumentPaths(v as Block, `${here}.`))];
    }
    return [here];
  });
}

describe('deploy/terraform', () => {
  let mod: Module;
  beforeAll(async () => {
    mod = await loadModule();
  });

  it('parses, and declares the resources the module promises', () => {
    expect(Object.keys(mod.resource).sort()).toEqual(Object.keys(DOCUMENTED).sort());
    expect(Object.keys(mod.resource.huaweicloud_fgs_function!)).toEqual(['guard']);
    expect(mod.resource.huaweicloud_fgs_function!.guard![0]!.for_each).toBe('${local.functions}');
    expect(mod.text).toMatch(/functions = \{\s*alarm = "[^"]+"\s*cron\s*= "[^"]+"\s*\}/);
    expect(Object.keys(mod.resource.huaweicloud_fgs_function_trigger!).sort()).toEqual(['apig', 'smn', 'timer']);
  });

  it('uses only documented arguments, and every required one', () => {
    const problems: string[] = [];
    for (const [type, byName] of Object.entries(mod.resource)) {
      const documented = DOCUMENTED[type]!.map((a) => a.replace(/\*$/, ''));
      const required = DOCUMENTED[type]!.filter((a) => a.endsWith('*')).map((a) => a.slice(0, -1));
      for (const [name, [body]] of Object.entries(byName)) {
        const args = argumentPaths(body!).filter((a) => !META.has(a.split('.')[0]!));
        for (const a of args) if (!documented.includes(a)) problems.push(`${type}.${name}: undocumented argument ${a}`);
        for (const r of required) if (!args.includes(r)) problems.push(`${type}.${name}: missing required ${r}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('deploys the built zips with the handler, runtime and safe defaults of the product', () => {
    const body = mod.resource.huaweicloud_fgs_function!.guard![0]!;
    expect(body).toMatchObject({ runtime: 'Node.js20.15', handler: 'index.handler', code_type: 'zip', code_filename: '${each.key}.zip', app: 'default' });
    expect(body.func_code).toBe('${filebase64("${path.module}/${var.dist_dir}/${each.key}.zip")}');
    for (const fn of ['alarm', 'cron']) expect(fs.existsSync(path.join(MODULE, '../../dist', `${fn}.zip`))).toBe(true); // the default dist_dir, after npm run build
    const dryRun = mod.variable.dry_run![0]!;
    expect(dryRun).toMatchObject({ type: '${bool}', default: true });
    expect(mod.text).toMatch(/GUARD_DRY_RUN\s*=\s*tostring\(var\.dry_run\)/);
  });

  it('declares every variable it uses, each typed and documented, and uses every one it declares', () => {
    const declared = Object.keys(mod.variable).sort();
    const used = [...new Set([...mod.text.matchAll(/\bvar\.([a-z_]+)/g)].map((m) => m[1]!))].sort();
    expect(used).toEqual(declared);
    for (const [name, [v]] of Object.entries(mod.variable)) {
      expect({ name, type: typeof v!.type, description: typeof v!.description }).toEqual({ name, type: 'string', description: 'string' });
      expect((v!.description as string).length).toBeGreaterThan(20);
    }
    // Inputs that reach a name, an id or a URN are validated.
    for (const name of ['region', 'project_id', 'name_prefix', 'memory_size', 'timeout', 'topic_urn', 'alarm_instance_ids', 'environment']) {
      expect(mod.variable[name]![0]!.validation).toBeDefined();
    }
  });

  it('gives the agency exactly the actions of deploy/iam-policy.json, delegated to FunctionGraph', () => {
    const role = mod.resource.huaweicloud_identity_role!.guard![0]!;
    expect(role.policy).toBe('${file("${path.module}/../iam-policy.json")}');
    const policy = JSON.parse(fs.readFileSync(path.join(MODULE, '..', 'iam-policy.json'), 'utf8')) as { Version: string; Statement: { Action: string[] }[] };
    expect(policy.Version).toBe('1.1');
    expect(policy.Statement.flatMap((s) => s.Action)).toContain('dcs:clients:kill');
    const agency = mod.resource.huaweicloud_identity_agency!.guard![0]!;
    expect(agency.delegated_service_name).toBe('op_svc_cff');
    expect((agency.project_role as Block[])[0]!.roles).toEqual(['${huaweicloud_identity_role.guard.name}']);
  });

  it('wires SMN, one timer per schedule, optional APIG, and alarm rules on SYS.DCS connection metrics', () => {
    const t = mod.resource.huaweicloud_fgs_function_trigger!;
    expect(t.smn![0]).toMatchObject({ type: 'SMN', function_urn: '${huaweicloud_fgs_function.guard["alarm"].urn}' });
    expect(t.timer![0]).toMatchObject({ type: 'TIMER', for_each: '${var.timers}', function_urn: '${huaweicloud_fgs_function.guard["cron"].urn}' });
    expect(t.apig![0]!.count).toBe('${var.apig_group_id == "" ? 0 : 1}');
    expect(String(t.timer![0]!.event_data)).toMatch(/user_event\s*=\s*jsonencode\(\{\s*schedule = each.key\s*\}\)/);
    const rule = mod.resource.huaweicloud_ces_alarmrule!.connections![0]!;
    expect((rule.metric as Block[])[0]).toEqual({ namespace: 'SYS.DCS' });
    expect(((rule.resources as Block[])[0]!.dimensions as Block[])[0]!.name).toBe('dcs_instance_id');
    expect((rule.alarm_actions as Block[])[0]).toMatchObject({ type: 'notification', notification_list: ['${local.topic_urn}'] });
  });

  it('outputs the function URNs and the topic URN', () => {
    expect(Object.keys(mod.output).sort()).toEqual(['agency_name', 'alarm_function_urn', 'cron_function_urn', 'topic_urn']);
    expect(mod.output.alarm_function_urn![0]!.value).toBe('${huaweicloud_fgs_function.guard["alarm"].urn}');
    expect(mod.output.topic_urn![0]!.value).toBe('${local.topic_urn}');
  });
});
