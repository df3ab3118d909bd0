/** The rule for URLs taken from a message (signing_cert_url, subscribe_url): the port is part of what is trusted. */
import { checkFetchableUrl } from '../../lib/auth/url-policy';

const rules = { allowedHosts: ['smn.cn-north-4.myhuaweicloud.com', '127.0.0.1'], pathSuffix: '.pem' };
const check = (raw: string) => checkFetchableUrl(raw, 'signing_cert_url', rules);

describe('checkFetchableUrl', () => {
  test.each([
    'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com:443/smn/cert.pem',
    'https://127.0.0.1:4443/cert.pem', // a local test server
  ])('accepts %s', (raw) => {
    expect(check(raw)).toMatchObject({ ok: true });
  });

  test.each([
    ['https://smn.cn-north-4.myhuaweicloud.com:8443/smn/cert.pem', 'must use the https port 443, not 8443'],
    ['https://smn.cn-north-4.myhuaweicloud.com:22/smn/cert.pem', 'must use the https port 443, not 22'],
    ['http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem', 'must use https'],
    ['https://evil.example/smn/cert.pem', 'host evil.example is not an allowed host'],
    ['https://u:p@smn.cn-north-4.myhuaweicloud.com/smn/cert.pem', 'must not contain user info'],
  ])('refuses %s', (raw, why) => {
    expect(check(raw)).toEqual({ ok: false, error: `signing_cert_url: ${why}` });
  });
});
