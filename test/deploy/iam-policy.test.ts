/**
 * deploy/iam-policy.json grants the function's agency exactly what the shipped code calls.
 *
 * The DCS client's methods are mapped to the IAM actions Huawei documents for their APIs
 * ("Authorization Information" of each DCS API v2 page). A new client method fails this
 * test until someone looks up its action and adds it here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './support';

const ACTIONS_BY_METHOD: Record<string, string[]> = {
  hangUpKillAllClients: ['dcs:clients:kill'], // POST .../clients/kill-all
  showJobInfo: ['dcs:job:get'], // GET .../jobs/{job_id}
  showInstance: ['dcs:instance:get'], // GET .../instances/{instance_id}
  showNodesInformation: [], // GET .../logical-nodes: documented as needing no action
  scanClients: ['dcs:clients:list'], // POST .../clients: the 2025 pages name dcs:clients:list (older ones said none)
  listClients: ['dcs:clients:list'], // GET .../clients
  hangUpClients: ['dcs:clients:kill'], // POST .../clients/kill: the same action as kill-all
  // The decision sinks' clients (SMN PublishMessage and Cloud Eye "add custom metric data" pages).
  publishMessage: ['smn:topic:publish'], // POST /v2/{project_id}/notifications/topics/{topic_urn}/publish
  createMetricData: ['ces:metricData:create'], // POST /V1.0/{project_id}/metric-data
};

const CLIENT_FILES = [['dcs', 'client.ts'], ['notify', 'smn-client.ts'], ['metrics', 'ces-client.ts']].map((p) => path.join(REPO_ROOT, 'lib', ...p));
const SHIPPED_CODE = ['lib', 'functions'];

interface Statement {
  Effect: string;
  Action: string[];
  Resource?: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The operations the cloud clients offer: their public async methods taking a request. */
function clientMethods(): string[] {
  const text = CLIENT_FILES.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  return [...text.matchAll(/^\s+async (\w+)\(request\b/gm)].map((m) => m[1]!);
}

/** The client methods some shipped module calls (`x.method(`), the clients' own files aside. */
function calledMethods(methods: string[]): Set<string> {
  const code = SHIPPED_CODE.flatMap((d) => sourceFiles(path.join(REPO_ROOT, d)))
    .filter((file) => !CLIENT_FILES.includes(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
  return new Set(methods.filter((method) => new RegExp(`\\.${method}\\(`).test(code)));
}

function policy(): { Version: string; Statement: Statement[] } {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'iam-policy.json'), 'utf8')) as {
    Version: string;
    Statement: Statement[];
  };
}

describe('deploy/iam-policy.json', () => {
  it('is a Huawei IAM custom policy (version 1.1) that only allows', () => {
    const doc = policy();
    expect(doc.Version).toBe('1.1');
    expect(doc.Statement.length).toBeGreaterThan(0);
    for (const statement of doc.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action.length).toBeGreaterThan(0);
      for (const action of statement.Action) expect(action).toMatch(/^(dcs|smn|ces):[a-zA-Z]+:[a-zA-Z]+$/); // no wildcards
    }
  });

  it('knows the IAM action of every DCS client operation', () => {
    const methods = clientMethods();
    expect(methods).toEqual(expect.arrayContaining(['hangUpKillAllClients', 'publishMessage', 'createMetricData'])); // the client files were read
    expect(methods.filter((m) => !(m in ACTIONS_BY_METHOD))).toEqual([]);
  });

  it('grants exactly the actions of the operations the shipped code calls', () => {
    const called = calledMethods(clientMethods());
    expect(called).toContain('hangUpKillAllClients');
    const needed = new Set([...called].flatMap((m) => ACTIONS_BY_METHOD[m] ?? []));
    const granted = policy().Statement.flatMap((s) => s.Action);
    expect(new Set(granted).size).toBe(granted.length); // no duplicates
    expect([...granted].sort()).toEqual([...needed].sort());
  });
});
