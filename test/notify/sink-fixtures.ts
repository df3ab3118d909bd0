/** Shared pieces of the sink tests: records, a policy, the sinks built for it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditRecord } from '../../lib/domain/types';
import type { GuardStore } from '../../lib/guard';
import { parsePolicy, type Policy } from '../../lib/policy';
import { policySinks, type SinkDeps } from '../../lib/sinks/build';
import type { AuditEntry, DecisionSink } from '../../lib/audit';
import { Budget } from '../../lib/domain/budget';
import { DEMO } from '../emulator/support';

const KEYS = path.resolve(__dirname, '..', 'fixtures', 'keys');
export const TLS = {
  cert: fs.readFileSync(path.join(KEYS, 'test-only.tls-localhost.cert.pem')),
  key: fs.readFileSync(path.join(KEYS, 'test-only.tls-localhost.key.pem')),
};

export const TOPIC = `urn:smn:cn-north-4:${DEMO.projectId}:dcs-guard-actions`;

export function record(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    type: 'audit',
    time: '2026-12-02T03:04:05.678Z',
    requestId: 'req-1',
    trigger: 'alarm',
    decision: 'executed',
    reason: `Killed the client sessions of node n-1 of instance ${DEMO.shop} (job SUCCESS).`,
    target: { projectId: DEMO.projectId, instanceId: DEMO.shop, nodeId: 'node-0001', killAllNodes: false },
    source: { alarmId: 'al-1', alarmName: 'dcs-conn-high', alarmStatus: 'alarm', metric: 'connected_clients', smnMessageId: 'm-1', topicUrn: null },
    jobId: 'ab'.repeat(16),
    job: { status: 'SUCCESS', failReason: null },
    durationMs: 321,
    rule: 'connection-pressure',
    sessions: { status: 'ok', nodes: 1, sessionCount: 1234, topClients: [{ ip: '10.0.0.7', count: 900 }], oldestAgeSeconds: 10, longestIdleSeconds: 5, truncated: false, elapsedMs: 12 },
    ...over,
  };
}

export function policyOf(sections: Record<string, unknown>): Policy {
  const parsed = parsePolicy(JSON.stringify({ version: 1, ...sections }), 'test.json');
  if (!parsed.ok) throw new Error(parsed.error.formatAll().join('\n'));
  return parsed.value;
}

export interface Sinks {
  byName: (name: string) => DecisionSink;
  all: DecisionSink[];
}

export function sinksOf(policy: Policy, env: Record<string, string>, extra: Partial<SinkDeps> = {}): Sinks {
  const all = policySinks({ policy: () => policy, env, context: undefined, guard: () => null as GuardStore | null, now: Date.now, webhookCa: TLS.cert.toString(), ...extra });
  return { all, byName: (name) => all.find((s) => s.name === name)! };
}

export const budget = (ms: number): Budget => new Budget(Date.now() + ms);
export const unbounded = new Budget(Number.POSITIVE_INFINITY);

/** What the sink port hands a sink: the record and its audit line. */
export const entry = (r: AuditRecord): AuditEntry => ({ record: r, line: JSON.stringify(r) });
