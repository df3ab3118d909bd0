import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certHostsFor, confirmHostsFor, readSmnAuthConfig, type Env, type SmnAuthConfig } from '../../lib/auth/config';
import { HUAWEI_SMN_CERT_FINGERPRINT256, HUAWEI_SMN_CERT_PEM } from '../../lib/auth/huawei-smn-cert';
import { OTHER_CERT, SIGNING_CERT, SIGNING_KEY, TOPIC } from './support/keys';

/** The certificate the repository ships for SMN_SIGNING_CERT (docs/reference.md). */
const SHIPPED_PEM = path.resolve(__dirname, '..', '..', 'deploy', 'smn-signing-cert.pem');
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

function configOf(env: Env): SmnAuthConfig {
  const result = readSmnAuthConfig(env);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function problemsOf(env: Env): string[] {
  const result = readSmnAuthConfig(env);
  if (result.ok) throw new Error('expected a configuration error');
  expect(result.error.code).toBe('invalid_smn_config');
  expect(result.error.message).toBe(`Invalid SMN configuration: ${result.error.problems.join('; ')}`);
  return result.error.problems;
}

describe('the pinned Huawei certificate', () => {
  it('is the certificate the repository ships (deploy/smn-signing-cert.pem), byte for byte', () => {
    expect(HUAWEI_SMN_CERT_PEM).toBe(readFileSync(SHIPPED_PEM, 'utf8'));
  });
  it('has the fingerprint documented in docs/reference.md', () => {
    expect(fingerprint(HUAWEI_SMN_CERT_PEM)).toBe(HUAWEI_SMN_CERT_FINGERPRINT256);
    expect(HUAWEI_SMN_CERT_FINGERPRINT256).toBe('85:FF:15:CD:8A:21:7C:2B:DF:36:7C:F0:17:39:4D:B0:ED:FE:B0:31:8B:5F:5C:7C:6B:BE:25:73:CA:D1:38:17');
    expect(readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'reference.md'), 'utf8')).toContain(HUAWEI_SMN_CERT_FINGERPRINT256);
  });
});

describe('readSmnAuthConfig defaults', () => {
  it('trusts only Huawei, with a 900 s window, any topic, no unsigned messages', () => {
    const cfg = configOf({});
    expect(cfg.trustedCerts.map((t) => [t.label, t.cert.fingerprint256])).toEqual([['huawei-published', HUAWEI_SMN_CERT_FINGERPRINT256]]);
    expect(cfg).toMatchObject({ certHosts: null, confirmHosts: null, region: null, maxAgeSeconds: 900, futureSkewSeconds: 60, topicUrns: null, allowUnsigned: false });
  });
  it('treats blank values as unset', () => {
    expect(configOf({ SMN_SIGNING_CERT: ' ', SMN_MAX_AGE_SECONDS: '', SMN_TOPIC_URNS: '  ' })).toMatchObject({ maxAgeSeconds: 900, topicUrns: null });
  });
});

describe('SMN_SIGNING_CERT', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'smn-cert-'));
  const file = path.join(dir, 'signing.pem');
  writeFileSync(file, SIGNING_CERT);
  const fingerprints = (env: Env): string[] => configOf(env).trustedCerts.map((t) => t.cert.fingerprint256);

  it('PEM text replaces the Huawei certificate', () => {
    expect(fingerprints({ SMN_SIGNING_CERT: SIGNING_CERT })).toEqual([fingerprint(SIGNING_CERT)]);
  });
  it('a leading "+" adds to it', () => {
    expect(fingerprints({ SMN_SIGNING_CERT: `+${SIGNING_CERT}` })).toEqual([HUAWEI_SMN_CERT_FINGERPRINT256, fingerprint(SIGNING_CERT)]);
  });
  it('a file path works the same way, replacing or adding', () => {
    expect(fingerprints({ SMN_SIGNING_CERT: file })).toEqual([fingerprint(SIGNING_CERT)]);
    expect(fingerprints({ SMN_SIGNING_CERT: `+${file}` })).toEqual([HUAWEI_SMN_CERT_FINGERPRINT256, fingerprint(SIGNING_CERT)]);
  });
  it('accepts one-line PEM with literal \\n and several certificates in one text', () => {
    const oneLine = `${SIGNING_CERT}${OTHER_CERT}`.replace(/\n/g, '\\n');
    expect(fingerprints({ SMN_SIGNING_CERT: oneLine })).toEqual([fingerprint(SIGNING_CERT), fingerprint(OTHER_CERT)]);
    expect(configOf({ SMN_SIGNING_CERT: oneLine }).trustedCerts.map((t) => t.label)).toEqual(['SMN_SIGNING_CERT #1', 'SMN_SIGNING_CERT #2']);
  });
  it.each([
    ['a missing file', '/nonexistent/smn.pem', /cannot read the file/],
    ['text without certificate', '-----BEGIN NOTHING-----\nabc\n-----END NOTHING-----', /holds no PEM certificate/],
    ['a broken certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', /not a valid X.509 certificate/],
    ['a private key beside the certificate', `${SIGNING_KEY}${SIGNING_CERT}`, /contains a private key/],
  ])('refuses %s', (_what, value, reason) => {
    const problems = problemsOf({ SMN_SIGNING_CERT: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SMN_SIGNING_CERT: /);
    expect(problems[0]).toMatch(reason);
  });
  it('refuses a certificate without an RSA key', () => {
    const ecFile = path.join(dir, 'ec.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=ec-test', '-keyout', path.join(dir, 'ec.key'), '-out', ecFile], { stdio: 'ignore' });
    expect(problemsOf({ SMN_SIGNING_CERT: ecFile })).toEqual([expect.stringMatching(/does not hold an RSA key/)]);
  });
});

describe('hosts', () => {
  it('reads explicit lists, lower-cased, and "none"', () => {
    const cfg = configOf({ SMN_CERT_HOSTS: ' Smn.Example.com , 127.0.0.1', SMN_CONFIRM_HOSTS: 'none' });
    expect(cfg.certHosts).toEqual(['smn.example.com', '127.0.0.1']);
    expect(cfg.confirmHosts).toEqual([]);
    expect(certHostsFor(cfg, TOPIC)).toEqual(['smn.example.com', '127.0.0.1']);
    expect(confirmHostsFor(cfg, TOPIC)).toEqual([]);
  });
  it.each(['https://smn.example.com', 'smn.example.com:443', 'smn.example.com/x', 'a..b', '*.example.com'])('refuses %s', (host) => {
    expect(problemsOf({ SMN_CERT_HOSTS: host })).toEqual([expect.stringMatching(/^SMN_CERT_HOSTS: .* is not a host name/)]);
  });
  it('defaults to the topic region', () => {
    const cfg = configOf({});
    expect(certHostsFor(cfg, 'urn:smn:cn-south-1:0ba6e278:topic')).toEqual(['smn.cn-south-1.myhuaweicloud.com']);
    expect(confirmHostsFor(cfg, 'urn:smn:cn-south-1:0ba6e278:topic')).toEqual([
      'console.huaweicloud.com',
      'cn-south-1-console.huaweicloud.com',
      'smn.cn-south-1.myhuaweicloud.com',
    ]);
  });
  it('prefers DCS_REGION over the topic region', () => {
    const cfg = configOf({ DCS_REGION: 'ap-southeast-1' });
    expect(certHostsFor(cfg, 'urn:smn:cn-south-1:0ba6e278:topic')).toEqual(['smn.ap-southeast-1.myhuaweicloud.com']);
  });
  it('allows no download host when the region is unknown or malformed', () => {
    const cfg = configOf({});
    expect(certHostsFor(cfg, undefined)).toEqual([]);
    expect(certHostsFor(cfg, 'urn:smn:evil.com#:x:y')).toEqual([]);
    expect(confirmHostsFor(cfg, undefined)).toEqual(['console.huaweicloud.com']);
  });
  it('refuses a malformed DCS_REGION', () => {
    expect(problemsOf({ DCS_REGION: 'evil.com/' })).toEqual([expect.stringMatching(/^DCS_REGION:/)]);
  });
});

describe('other settings', () => {
  it.each([
    ['0', 0],
    ['60', 60],
    [' 900 ', 900],
  ])('SMN_MAX_AGE_SECONDS=%j → %d', (value, seconds) => {
    expect(configOf({ SMN_MAX_AGE_SECONDS: value }).maxAgeSeconds).toBe(seconds);
  });
  it.each(['-1', '1e3', 'abc', '1.5', '999999999'])('refuses SMN_MAX_AGE_SECONDS=%j', (value) => {
    expect(problemsOf({ SMN_MAX_AGE_SECONDS: value })).toEqual([expect.stringMatching(/^SMN_MAX_AGE_SECONDS:/)]);
  });
  it('reads SMN_TOPIC_URNS', () => {
    expect(configOf({ SMN_TOPIC_URNS: `${TOPIC}, urn:smn:cn-south-1:abc:other` }).topicUrns).toEqual([TOPIC, 'urn:smn:cn-south-1:abc:other']);
    expect(problemsOf({ SMN_TOPIC_URNS: `${TOPIC},dcs-alarms` })).toEqual([expect.stringMatching(/^SMN_TOPIC_URNS: "dcs-alarms"/)]);
  });
  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
  ])('SMN_ALLOW_UNSIGNED=%s → %s', (value, allowed) => {
    expect(configOf({ SMN_ALLOW_UNSIGNED: value }).allowUnsigned).toBe(allowed);
  });
  it('refuses SMN_ALLOW_UNSIGNED=yes', () => {
    expect(problemsOf({ SMN_ALLOW_UNSIGNED: 'yes' })).toEqual(['SMN_ALLOW_UNSIGNED: must be "true" or "false"']);
  });
  it('reports every problem in one error', () => {
    const problems = problemsOf({ SMN_ALLOW_UNSIGNED: 'yes', SMN_MAX_AGE_SECONDS: 'x', SMN_CERT_HOSTS: 'a:1', SMN_SIGNING_CERT: '/nope' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['SMN_ALLOW_UNSIGNED', 'SMN_CERT_HOSTS', 'SMN_MAX_AGE_SECONDS', 'SMN_SIGNING_CERT']);
  });
});
