/**
 * The guard's behaviour as a table: sequences of checks (and settles) with the verdict
 * each check must get. behaviour.test.ts runs every sequence against the memory store and
 * against Redis; both must give exactly these verdicts.
 *
 * Times are offsets in ms from T0 (the injected clock), so expiry needs no sleeping.
 */
import type { Target } from '../../lib/domain/types';
import type { GuardSettings, GuardVerdict, SettleOutcome } from '../../lib/guard/types';

export const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

export const BASE_SETTINGS: GuardSettings = {
  cooldownSeconds: 60,
  maxKillsPerHour: 5,
  maxKillsPerHourPerInstance: 3,
  dedupTtlSeconds: 300,
  failOpen: false,
};

/** "A/*" = all nodes of instance A; "A/n1" = node n1 of instance A. */
export type TargetName = `${string}/${string}`;

export function targetOf(name: TargetName): Target {
  const [instance, node] = name.split('/') as [string, string];
  const instanceId = `inst-${instance}`;
  return node === '*'
    ? { projectId: 'proj-1', instanceId, nodeId: null, killAllNodes: true }
    : { projectId: 'proj-1', instanceId, nodeId: `node-${node}`, killAllNodes: false };
}

/** What a check must return, in the table's short form (times as offsets from T0). */
export type Expected =
  | 'proceed'
  | 'dry_proceed'
  | { duplicate: number }
  | { cooldown: 'node' | 'instance'; until: number; since: number }
  | { rate_limit: 'global' | 'instance'; limit: number; retryAt: number };

export interface CheckStep {
  check: TargetName;
  at: number;
  dedup?: string;
  dryRun?: boolean;
  settings?: Partial<GuardSettings>;
  expect: Expected;
}

/** Settles the lease of the check step with index `lease` (counting from 0 in the sequence). */
export interface SettleStep {
  settle: number;
  outcome: SettleOutcome;
}

export type Step = CheckStep | SettleStep;

export interface Sequence {
  name: string;
  steps: Step[];
}

/** The verdict in the table's short form, for comparison. */
export function summarize(v: GuardVerdict): Expected | { unexpected: GuardVerdict } {
  switch (v.kind) {
    case 'proceed':
      return v.lease === null ? 'dry_proceed' : 'proceed';
    case 'duplicate':
      return { duplicate: (v.firstSeenAt ?? NaN) - T0 };
    case 'cooldown':
      return { cooldown: v.scope, until: v.until - T0, since: (v.since ?? NaN) - T0 };
    case 'rate_limit':
      return { rate_limit: v.scope, limit: v.limit, retryAt: v.retryAt - T0 };
    default:
      return { unexpected: v };
  }
}

const cd = (scope: 'node' | 'instance', since: number, until = since + 60_000): Expected => ({ cooldown: scope, since, until });

export const SEQUENCES: Sequence[] = [
  {
    name: 'dedup: one notification acts once per target, within its TTL',
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', expect: 'proceed' },
      { check: 'A/n1', at: 1, dedup: 'm1', expect: { duplicate: 0 } },
      { check: 'A/n1', at: 60_000, dedup: 'm1', expect: { duplicate: 0 } }, // cooldown over, still a duplicate
      { check: 'B/n1', at: 60_001, dedup: 'm1', expect: 'proceed' }, // same message, other target
      { check: 'A/n1', at: 299_999, dedup: 'm1', expect: { duplicate: 0 } },
      { check: 'A/n1', at: 300_000, dedup: 'm1', expect: 'proceed' }, // TTL over
    ],
  },
  {
    name: 'dedup key null (timers) never deduplicates',
    steps: [
      { check: 'A/*', at: 0, expect: 'proceed' },
      { check: 'A/*', at: 60_000, expect: 'proceed' },
    ],
  },
  {
    name: 'cooldown ends exactly at until',
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', expect: 'proceed' },
      { check: 'A/n1', at: 59_999, dedup: 'm2', expect: cd('node', 0) },
      { check: 'A/n1', at: 60_000, dedup: 'm2', expect: 'proceed' },
    ],
  },
  {
    name: 'a node kill cools the instance-wide target, not the other nodes',
    steps: [
      { check: 'A/n1', at: 0, expect: 'proceed' },
      { check: 'A/*', at: 10, expect: cd('node', 0) },
      { check: 'A/n2', at: 20, expect: 'proceed' },
      { check: 'A/*', at: 60_000, expect: cd('node', 20) }, // n1 is over, n2 still cools
      { check: 'A/*', at: 60_020, expect: 'proceed' },
    ],
  },
  {
    name: 'an all-nodes kill cools every node of that instance only',
    steps: [
      { check: 'A/*', at: 0, expect: 'proceed' },
      { check: 'A/n1', at: 1, expect: cd('instance', 0) },
      { check: 'A/*', at: 2, expect: cd('instance', 0) },
      { check: 'B/n1', at: 3, expect: 'proceed' },
      { check: 'A/n1', at: 60_000, expect: 'proceed' },
    ],
  },
  {
    name: 'the longest cooldown is reported: instance-wide beats an earlier node one',
    steps: [
      { check: 'A/n1', at: 0, settings: { cooldownSeconds: 30 }, expect: 'proceed' },
      { check: 'A/*', at: 30_000, expect: 'proceed' },
      { check: 'A/n1', at: 30_001, expect: cd('instance', 30_000) },
    ],
  },
  {
    name: 'the longest cooldown is reported: a long node cooldown beats a shorter instance one',
    steps: [
      { check: 'A/*', at: 0, settings: { cooldownSeconds: 10 }, expect: 'proceed' },
      { check: 'A/n1', at: 10_000, settings: { cooldownSeconds: 600 }, expect: 'proceed' },
      { check: 'A/*', at: 10_001, expect: cd('node', 10_000, 610_000) },
    ],
  },
  {
    name: 'breaker per instance over a rolling hour',
    steps: [
      { check: 'A/n1', at: 0, expect: 'proceed' },
      { check: 'A/n2', at: 1_000, expect: 'proceed' },
      { check: 'A/n3', at: 2_000, expect: 'proceed' },
      { check: 'A/n4', at: 3_000, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR } },
      { check: 'B/n1', at: 3_001, expect: 'proceed' },
      { check: 'A/n1', at: 120_000, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR } }, // its cooldown is over
      { check: 'A/n4', at: HOUR - 1, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR } },
      { check: 'A/n4', at: HOUR, expect: 'proceed' }, // the kill at 0 left the window
      { check: 'A/n5', at: HOUR + 1, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR + 1_000 } },
    ],
  },
  {
    name: 'breaker global over a rolling hour, then per instance',
    steps: [
      { check: 'A/n1', at: 0, expect: 'proceed' },
      { check: 'A/n2', at: 1, expect: 'proceed' },
      { check: 'B/n1', at: 2, expect: 'proceed' },
      { check: 'B/n2', at: 3, expect: 'proceed' },
      { check: 'C/n1', at: 4, expect: 'proceed' },
      { check: 'D/n1', at: 5, expect: { rate_limit: 'global', limit: 5, retryAt: HOUR } },
      { check: 'D/n1', at: HOUR, expect: 'proceed' },
      { check: 'D/n2', at: HOUR + 1, expect: 'proceed' },
      { check: 'E/n1', at: HOUR + 1, expect: { rate_limit: 'global', limit: 5, retryAt: HOUR + 2 } },
      { check: 'D/n3', at: HOUR + 2, expect: 'proceed' },
      { check: 'D/n4', at: HOUR + 3, expect: { rate_limit: 'instance', limit: 3, retryAt: 2 * HOUR } },
    ],
  },
  {
    name: 'a lower limit in later settings trips on the kills already counted',
    steps: [
      { check: 'A/n1', at: 0, expect: 'proceed' },
      { check: 'A/n2', at: 10, expect: 'proceed' },
      { check: 'B/n1', at: 20, settings: { maxKillsPerHour: 2 }, expect: { rate_limit: 'global', limit: 2, retryAt: HOUR } },
      { check: 'B/n1', at: 30, settings: { maxKillsPerHour: 0 }, expect: { rate_limit: 'global', limit: 0, retryAt: HOUR + 30 } },
    ],
  },
  {
    name: 'dry runs tell the truth and consume nothing',
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', dryRun: true, expect: 'dry_proceed' },
      { check: 'A/n1', at: 1, dedup: 'm1', dryRun: true, expect: 'dry_proceed' },
      { check: 'A/*', at: 2, dedup: 'm1', dryRun: true, expect: 'dry_proceed' },
      { check: 'A/n1', at: 3, dedup: 'm1', expect: 'proceed' },
      { check: 'A/n1', at: 4, dedup: 'm1', dryRun: true, expect: { duplicate: 3 } },
      { check: 'A/*', at: 5, dedup: 'm2', dryRun: true, expect: cd('node', 3) },
      { check: 'A/n2', at: 6, dryRun: true, settings: { maxKillsPerHourPerInstance: 1 }, expect: { rate_limit: 'instance', limit: 1, retryAt: HOUR + 3 } },
      { check: 'A/n2', at: 7, expect: 'proceed' },
      { check: 'A/n3', at: 8, expect: 'proceed' },
      { check: 'A/n4', at: 9, dryRun: true, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR + 3 } },
    ],
  },
  {
    name: "settle 'not_sent' releases dedup mark, cooldown and breaker count",
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', settings: { maxKillsPerHourPerInstance: 1 }, expect: 'proceed' },
      { settle: 0, outcome: 'not_sent' },
      { check: 'A/n1', at: 1, dedup: 'm1', settings: { maxKillsPerHourPerInstance: 1 }, expect: 'proceed' },
      { check: 'A/n2', at: 2, settings: { maxKillsPerHourPerInstance: 1 }, expect: { rate_limit: 'instance', limit: 1, retryAt: HOUR + 1 } },
    ],
  },
  {
    name: "settle 'outcome_unknown' and 'executed' keep everything",
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', expect: 'proceed' },
      { settle: 0, outcome: 'outcome_unknown' },
      { check: 'A/n1', at: 1, dedup: 'm1', expect: { duplicate: 0 } },
      { check: 'A/n1', at: 2, dedup: 'm2', expect: cd('node', 0) },
      { check: 'B/*', at: 3, dedup: 'm3', expect: 'proceed' },
      { settle: 4, outcome: 'executed' },
      { check: 'B/n1', at: 5, dedup: 'm4', expect: cd('instance', 3) },
    ],
  },
  {
    name: 'a late release never removes a newer claim on the same target',
    steps: [
      { check: 'A/n1', at: 0, dedup: 'm1', settings: { cooldownSeconds: 1 }, expect: 'proceed' },
      { check: 'A/n1', at: 1_000, dedup: 'm2', settings: { cooldownSeconds: 1 }, expect: 'proceed' },
      { settle: 0, outcome: 'not_sent' },
      { check: 'A/n1', at: 1_001, dedup: 'm3', expect: cd('node', 1_000, 2_000) },
      { check: 'A/n1', at: 1_002, dedup: 'm2', expect: { duplicate: 1_000 } },
      { check: 'A/n1', at: 2_000, dedup: 'm1', expect: 'proceed' }, // m1's mark was released
    ],
  },
  {
    name: 'releasing twice is harmless',
    steps: [
      { check: 'A/*', at: 0, dedup: 'm1', expect: 'proceed' },
      { settle: 0, outcome: 'not_sent' },
      { settle: 0, outcome: 'not_sent' },
      { check: 'A/*', at: 1, dedup: 'm1', expect: 'proceed' },
      { check: 'A/n1', at: 2, expect: cd('instance', 1, 60_001) },
    ],
  },
  {
    name: 'cooldown 0 disables cooldowns; the breaker still counts',
    steps: [
      { check: 'A/n1', at: 0, settings: { cooldownSeconds: 0 }, expect: 'proceed' },
      { check: 'A/n1', at: 0, settings: { cooldownSeconds: 0 }, expect: 'proceed' },
      { check: 'A/*', at: 0, settings: { cooldownSeconds: 0 }, expect: 'proceed' },
      { check: 'A/n1', at: 1, settings: { cooldownSeconds: 0 }, expect: { rate_limit: 'instance', limit: 3, retryAt: HOUR } },
    ],
  },
  {
    name: 'ids with separators cannot collide',
    steps: [
      { check: 'x:y/n1', at: 0, expect: 'proceed' },
      { check: 'x/y:n1', at: 1, expect: 'proceed' },
      { check: 'x:y/*', at: 2, expect: cd('node', 0) },
    ],
  },
];
