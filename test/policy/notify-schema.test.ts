/** The notify, history and metrics sections: safe defaults, secrets only by environment variable name. */
import { parsePolicy, type Policy } from '../../lib/policy';

const URN = 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:dcs-guard-actions';

function parse(sections: Record<string, unknown>) {
  return parsePolicy(JSON.stringify({ version: 1, ...sections }), 'test.json');
}

function valid(sections: Record<string, unknown>): Policy {
  const result = parse(sections);
  if (!result.ok) throw new Error(result.error.formatAll().join('\n'));
  return result.value;
}

function problem(sections: Record<string, unknown>): string {
  const result = parse(sections);
  if (result.ok) throw new Error('expected the policy to be invalid');
  return `${result.error.path.join('.')}: ${result.error.message}`;
}

describe('policy: notify, history, metrics', () => {
  test("the contract's example sections validate", () => {
    const policy = valid({
      notify: {
        on: ['executed', 'failed', 'skipped_rate_limit'],
        smnTopicUrn: URN,
        webhooks: [{ url: 'https://example.invalid/hook', format: 'generic', secretEnv: 'NOTIFY_WEBHOOK_SECRET' }],
        timeoutMs: 1500,
      },
      history: { enabled: true, maxEntries: 100000, maxAgeDays: 30 },
      metrics: { enabled: false, namespace: 'CUSTOM.DCSGUARD' },
    });
    expect(policy.notify.webhooks[0]).toEqual({ url: 'https://example.invalid/hook', format: 'generic', secretEnv: 'NOTIFY_WEBHOOK_SECRET' });
    expect(policy.notify.smnTopicUrn).toBe(URN);
  });

  test('a webhook defaults to the generic format; its URL may come from an environment variable', () => {
    const policy = valid({ notify: { webhooks: [{ urlEnv: 'FEISHU_HOOK_URL', format: 'feishu', secretEnv: 'FEISHU_SECRET' }, { url: 'http://127.0.0.1:9/x' }] } });
    expect(policy.notify.webhooks.map((w) => w.format)).toEqual(['feishu', 'generic']);
  });

  test.each([
    [{ notify: { webhooks: [{ url: 'http://example.com/hook' }] } }, 'notify.webhooks.0.url: Expected an https:// URL'],
    [{ notify: { webhooks: [{ url: 'https://user:pw@example.com/hook' }] } }, 'notify.webhooks.0.url: Expected an https:// URL'],
    [{ notify: { webhooks: [{}] } }, 'notify.webhooks.0.url: Give exactly one of url or urlEnv'],
    [{ notify: { webhooks: [{ url: 'https://a.example/x', urlEnv: 'HOOK' }] } }, 'Give exactly one of url or urlEnv'],
    [{ notify: { webhooks: [{ url: 'https://a.example/x', secret: 'abc' }] } }, 'Unknown key "secret"'],
    [{ notify: { webhooks: [{ url: 'https://a.example/x', secretEnv: 'my secret value' }] } }, 'notify.webhooks.0.secretEnv: Expected an environment variable name'],
    [{ notify: { webhooks: [{ url: 'https://a.example/x', format: 'wecom', secretEnv: 'WECOM_SECRET' }] } }, 'A wecom webhook has no signing scheme'],
    [{ notify: { webhooks: [{ url: 'https://a.example/x', format: 'teams' }] } }, 'notify.webhooks.0.format'],
    [{ notify: { on: ['executed', 'killed'] } }, 'notify.on.1'],
    [{ notify: { on: [] } }, 'notify.on: List at least one decision'],
    [{ notify: { smnTopicUrn: 'dcs-guard-actions' } }, 'notify.smnTopicUrn: Expected an SMN topic URN'],
    [{ notify: { timeoutMs: 60000 } }, 'notify.timeoutMs'],
    [{ history: { maxEntries: 10 } }, 'history.maxEntries'],
    [{ history: { maxAgeDays: 0 } }, 'history.maxAgeDays'],
    [{ metrics: { namespace: 'SYS.DCS' } }, 'metrics.namespace: The SYS., AGT. and SRE. namespaces are reserved'],
    [{ metrics: { namespace: 'DCSGUARD' } }, 'metrics.namespace: Expected a Cloud Eye custom namespace'],
    [{ metrics: { enabled: 'yes' } }, 'metrics.enabled'],
  ])('%j is refused: %s', (sections, expected) => {
    expect(problem(sections)).toContain(expected);
  });
});
