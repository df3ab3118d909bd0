/**
 * Webhook sinks against a real local HTTPS receiver (test-only certificate): what arrives,
 * each format's signature checked with the platform's published algorithm written out here
 * (not imported), the bounds, and the failures (one safe message, no URL query, no secret).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startWebhookReceiver, type WebhookReceiver } from '../../dev/webhook-receiver';
import { budget, entry, policyOf, record, sinksOf, TLS, unbounded } from './sink-fixtures';

const SECRET = 'SEC-webhook-signing-secret-7f3a9c1e';
const KEY = 'wecom-key-5b7d-0000-secret-query';

describe('webhook sinks over real HTTPS', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ tls: TLS });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  const hooks = (webhooks: unknown[], extra: Record<string, unknown> = {}) =>
    sinksOf(policyOf({ notify: { webhooks, ...extra } }), { HOOK_SECRET: SECRET, HOOK_URL: `${receiver.origin}/cgi-bin/webhook/send?key=${KEY}` }).byName('webhooks');

  it('generic: the audit record as JSON, X-Signature = sha256=hex(HMAC-SHA256(secret, raw body))', async () => {
    const r = record();
    await hooks([{ url: `${receiver.origin}/hook`, secretEnv: 'HOOK_SECRET' }]).write(entry(r), unbounded);
    const [d] = receiver.deliveries;
    expect(d?.method).toBe('POST');
    expect(JSON.parse(d!.body)).toEqual(r);
    const expected = `sha256=${createHmac('sha256', SECRET).update(Buffer.from(d!.body, 'utf8')).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(String(d!.headers['x-signature'])), Buffer.from(expected))).toBe(true);
    expect(d!.headers['content-type']).toMatch(/^application\/json/);
  });

  it('generic without secretEnv: unsigned', async () => {
    await hooks([{ url: `${receiver.origin}/hook` }]).write(entry(record()), unbounded);
    expect(receiver.deliveries[0]?.headers['x-signature']).toBeUndefined();
  });

  it('feishu: timestamp and sign in the body, sign = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, empty message))', async () => {
    await hooks([{ url: `${receiver.origin}/open-apis/bot/v2/hook/token`, format: 'feishu', secretEnv: 'HOOK_SECRET' }]).write(entry(record()), unbounded);
    const body = JSON.parse(receiver.deliveries[0]!.body) as { timestamp: string; sign: string; msg_type: string; content: { text: string } };
    expect(Math.abs(Number(body.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const hmac = createHmac('sha256', Buffer.from(`${body.timestamp}\n${SECRET}`, 'utf8'));
    expect(body.sign).toBe(hmac.digest().toString('base64'));
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('[dcs-session-guard] executed');
    expect(body.content.text).toMatch(/Sessions: +1234 connected before on 1 node; top clients 10\.0\.0\.7 \(900\)/);
  });

  it('dingtalk: &timestamp=<ms>&sign=urlencode(base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))) on the URL, the markdown body', async () => {
    await hooks([{ url: `${receiver.origin}/robot/send?access_token=tok123`, format: 'dingtalk', secretEnv: 'HOOK_SECRET' }]).write(entry(record()), unbounded);
    const d = receiver.deliveries[0]!;
    const [, query = ''] = d.url.split('?');
    const params = Object.fromEntries(query.split('&').map((kv) => kv.split('=') as [string, string]));
    expect(params.access_token).toBe('tok123');
    const sign = createHmac('sha256', SECRET).update(`${params.timestamp}\n${SECRET}`, 'utf8').digest('base64');
    expect(params.sign).toBe(encodeURIComponent(sign));
    expect(Math.abs(Number(params.timestamp) - Date.now())).toBeLessThan(60_000);
    const body = JSON.parse(d.body);
    expect(body).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.stringContaining('executed') } });
    expect(body.markdown.text).toContain('- **Where:** instance');
  });

  it('wecom and slack: their message formats, no signature (the URL is the secret)', async () => {
    await hooks([{ urlEnv: 'HOOK_URL', format: 'wecom' }, { url: `${receiver.origin}/services/T0/B0/X`, format: 'slack' }]).write(entry(record()), unbounded);
    const byPath = (p: string) => JSON.parse(receiver.deliveries.find((d) => d.url.startsWith(p))!.body);
    expect(byPath('/cgi-bin/webhook/send')).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('**[dcs-session-guard] executed') } });
    expect(byPath('/services/')).toEqual({ text: expect.stringContaining('Why:') });
  });

  it('only the decisions in notify.on (or the hook\'s own on) are sent', async () => {
    const sink = hooks([{ url: `${receiver.origin}/a` }, { url: `${receiver.origin}/b`, on: ['dry_run'] }]);
    await sink.write(entry(record({ decision: 'dry_run' })), unbounded);
    await sink.write(entry(record({ decision: 'skipped_cooldown' })), unbounded);
    await sink.write(entry(record({ decision: 'rejected' })), unbounded);
    expect(receiver.deliveries.map((d) => d.url)).toEqual(['/b']);
  });

  describe('failures: one safe message naming the webhook by origin; never the path, query or secret', () => {
    const failureOf = async (answer: Parameters<WebhookReceiver['answerNext']>[0], ms = 5000) => {
      receiver.answerNext(answer);
      const sink = hooks([{ urlEnv: 'HOOK_URL', format: 'wecom' }], { timeoutMs: 400 });
      const error = await Promise.resolve(sink.write(entry(record()), budget(ms))).then(() => null, (e: Error) => e);
      expect(error).not.toBeNull();
      const text = `${error!.message} ${JSON.stringify(error)}`;
      for (const hidden of [KEY, '/cgi-bin', 'key=', SECRET]) expect(text).not.toContain(hidden);
      expect(error!.message).toContain(`wecom#1 (${receiver.origin})`);
      return error!.message;
    };

    it('HTTP 500', async () => expect(await failureOf({ kind: 'reply', status: 500 })).toContain('HTTP 500'));
    it('a redirect is not followed', async () => {
      expect(await failureOf({ kind: 'reply', status: 302 })).toContain('redirect (HTTP 302), not followed');
      expect(receiver.deliveries).toHaveLength(1);
    });
    it('a robot refusing with HTTP 200 and an error code', async () => {
      expect(await failureOf({ kind: 'reply', status: 200, body: JSON.stringify({ errcode: 93000, errmsg: `invalid webhook url key=${KEY}` }) })).toContain('refused the message (code 93000)');
    });
    it('a reset connection', async () => expect(await failureOf({ kind: 'reset' })).toContain('connection failed (ECONNRESET)'));
    it('a hanging receiver: given up at the timeout', async () => {
      const started = Date.now();
      expect(await failureOf({ kind: 'hang' })).toContain('no complete answer within');
      expect(Date.now() - started).toBeLessThan(2000);
    });
    it('a hanging receiver with little budget left: given up at the invocation deadline, before its own timeout', async () => {
      receiver.answerNext({ kind: 'hang' });
      const sink = hooks([{ url: `${receiver.origin}/x` }], { timeoutMs: 10_000 });
      const started = Date.now();
      await expect(sink.write(entry(record()), budget(300))).rejects.toThrow('no complete answer within');
      expect(Date.now() - started).toBeLessThan(2000);
    });
    it('the secret variable is not set: not sent unsigned, the variable named', async () => {
      const sink = sinksOf(policyOf({ notify: { webhooks: [{ url: `${receiver.origin}/x`, secretEnv: 'MISSING_SECRET' }] } }), {}).byName('webhooks');
      await expect(sink.write(entry(record()), unbounded)).rejects.toThrow('environment variable MISSING_SECRET (its signing secret) is not set; not sent unsigned');
      expect(receiver.deliveries).toHaveLength(0);
    });
    it('a certificate the client does not trust', async () => {
      const sink = sinksOf(policyOf({ notify: { webhooks: [{ url: `${receiver.origin}/x` }] } }), {}, { webhookCa: undefined }).byName('webhooks'); // the system store only
      await expect(sink.write(entry(record()), unbounded)).rejects.toThrow(/connection failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/);
    });
    it('one failing hook does not stop the others', async () => {
      receiver.answerNext({ kind: 'reply', status: 503 });
      const sink = hooks([{ url: `${receiver.origin}/first` }, { url: `${receiver.origin}/second` }]);
      await expect(sink.write(entry(record()), unbounded)).rejects.toThrow('HTTP 503');
      expect(receiver.deliveries.map((d) => d.url).sort()).toEqual(['/first', '/second']);
    });
  });
});
