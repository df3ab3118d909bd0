import type { ServerResponse } from 'node:http';
import { confirmHostsFor, readSmnAuthConfig, type SmnAuthConfig } from '../../lib/auth/config';
import { confirmSubscription } from '../../lib/auth/subscription';
import { checkFetchableUrl } from '../../lib/auth/url-policy';
import type { SmnHttpMessage } from '../../lib/fg/types';
import { fixture, REAL_CONFIRMATION } from '../events/support/fixtures';
import { byPath, useHttpsServer } from './support/https-server';
import { TLS_CERT, TOPIC } from './support/keys';

const TOKEN = '477a784601d744e4ab9ab83986502d31c4b9';
const routes: Record<string, (res: ServerResponse) => void> = {
  '/smn/subscription/confirm': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"request_id":"x"}'),
  '/fail': (res) => res.writeHead(500).end('oops'),
  '/redirect': (res) => res.writeHead(302, { location: '/smn/subscription/confirm' }).end(),
  '/slow': () => undefined,
};

const server = useHttpsServer(byPath(routes));

function config(env: Record<string, string>): SmnAuthConfig {
  const result = readSmnAuthConfig(env);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
const allowingLocal = () => config({ SMN_CONFIRM_HOSTS: '127.0.0.1' });
const confirmation = (subscribeUrl: string): SmnHttpMessage => ({
  type: 'SubscriptionConfirmation',
  message_id: 'def5c309cbff44d5a870787ed937edf8',
  topic_urn: TOPIC,
  message: 'You are invited to subscribe',
  subscribe_url: subscribeUrl,
  timestamp: '2024-11-27T09:30:00Z',
});
const at = (p: string) => `${server.origin}${p}?token=${TOKEN}&topic_urn=${TOPIC}`;

describe('confirmSubscription', () => {
  it('confirms with one GET on subscribe_url when its host is allowed', async () => {
    expect(await confirmSubscription(confirmation(at('/smn/subscription/confirm')), allowingLocal(), { ca: TLS_CERT })).toEqual({
      ok: true,
      value: { confirmed: true, status: 200 },
    });
    expect(server.requests).toEqual([`GET /smn/subscription/confirm?token=${TOKEN}&topic_urn=${TOPIC}`]);
  });

  it.each([
    ['a host not on the default list', () => config({}), () => at('/smn/subscription/confirm')],
    ['a host not on SMN_CONFIRM_HOSTS', () => config({ SMN_CONFIRM_HOSTS: 'localhost' }), () => at('/smn/subscription/confirm')],
    ['confirmation disabled ("none")', () => config({ SMN_CONFIRM_HOSTS: 'none' }), () => at('/smn/subscription/confirm')],
    ['plain http to an allowed host', allowingLocal, () => at('/smn/subscription/confirm').replace('https:', 'http:')],
    ['user info in the URL', allowingLocal, () => at('/smn/subscription/confirm').replace('https://', 'https://a:b@')],
  ])('refuses %s with 403 and sends NO request', async (_what, cfg, makeUrl) => {
    const result = await confirmSubscription(confirmation(makeUrl()), cfg(), { ca: TLS_CERT });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ status: 403, code: 'confirm_url_not_allowed' }) });
    expect(server.requests).toEqual([]);
  });

  it('refuses other message types and a missing subscribe_url with 400, sending nothing', async () => {
    const notification = { ...confirmation(at('/smn/subscription/confirm')), type: 'Notification' };
    expect(await confirmSubscription(notification, allowingLocal(), { ca: TLS_CERT })).toMatchObject({ ok: false, error: { status: 400, code: 'not_a_subscription_confirmation' } });
    const { subscribe_url: _u, ...noUrl } = confirmation('');
    expect(await confirmSubscription(noUrl as SmnHttpMessage, allowingLocal(), { ca: TLS_CERT })).toMatchObject({ ok: false, error: { status: 400, code: 'missing_subscribe_url' } });
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['/fail', 'subscription_confirm_failed', 500],
    ['/redirect', 'subscription_confirm_redirect', 302],
  ])('reports %s as an ErrorInfo without the token', async (p, code, httpStatus) => {
    const result = await confirmSubscription(confirmation(at(p)), allowingLocal(), { ca: TLS_CERT });
    expect(result).toEqual({ ok: false, error: { code, httpStatus, requestId: null, message: expect.stringContaining('127.0.0.1') } });
    if (!result.ok) expect(JSON.stringify(result.error)).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(1); // the redirect is not followed
  });

  it('gives up on a server that never answers', async () => {
    const result = await confirmSubscription(confirmation(at('/slow')), allowingLocal(), { ca: TLS_CERT, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, error: { code: 'subscription_confirm_timeout', httpStatus: null } });
  });

  it('the real confirmation points at a host allowed by default (console.huaweicloud.com)', () => {
    // Only the URL rule: the test must not send the captured token to Huawei.
    const real = fixture<SmnHttpMessage>(REAL_CONFIRMATION);
    const rules = { allowedHosts: confirmHostsFor(config({}), real.topic_urn) };
    expect(checkFetchableUrl(real.subscribe_url!, 'subscribe_url', rules)).toMatchObject({ ok: true, value: { hostname: 'console.huaweicloud.com' } });
  });
});
