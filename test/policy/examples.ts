/** Policies shared by the policy tests. */
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DEPLOY_POLICY = join(REPO_ROOT, 'deploy', 'policy.yaml');

/** The example policy of contract.md ("Policy (YAML or JSON)"), verbatim. */
export const CONTRACT_EXAMPLE = `version: 1
dryRun: false
instances:                 # which instances may be touched at all
  allow: ["*"]             # instance ids, or "*"
  deny: []
alarms:                    # first matching rule wins
  - name: connection-pressure
    match:                 # every given field must match; globs allowed
      alarmNames: ["dcs-*"]
      metrics: [connections_usage, connected_clients, rejected_connections]
    scope: auto            # auto: the alarmed node, or all nodes for an instance alarm
                           # node: only node alarms; instance: always all nodes
schedules:                 # timer-triggered cleanup
  nightly:
    targets:
      - instance: 5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b
        nodes: all         # or a list of node ids
guard:
  cooldownSeconds: 900     # per target
  maxKillsPerHour: 20      # circuit breaker
jobs:
  waitSeconds: 30          # how long to follow the kill job
`;

export const INSTANCE_A = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
export const INSTANCE_B = '3dc7b9ea-70b4-4c38-942d-e2636e6d844c';
