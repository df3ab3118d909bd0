/**
 * SMN authentication settings, read once from the environment.
 *
 * | variable              | value                                                                      |
 * |-----------------------|----------------------------------------------------------------------------|
 * | SMN_SIGNING_CERT      | trusted signing certificate(s): PEM text (literal "\n" accepted) or a file |
 * |                       | path. It REPLACES Huawei's pinned certificate; a leading "+" ADDS to it    |
 * |                       | ("+/etc/smn/extra.pem"). Unset: Huawei's published certificate only.       |
 * | SMN_CERT_HOSTS        | hosts signing_cert_url may be downloaded from, comma-separated, no port;   |
 * |                       | "none" disables downloads. Default smn.<region>.myhuaweicloud.com.          |
 * | SMN_CONFIRM_HOSTS     | hosts subscribe_url may point at; "none" disables confirmation. Default    |
 * |                       | console.huaweicloud.com, <region>-console.huaweicloud.com,                 |
 * |                       | smn.<region>.myhuaweicloud.com.                                            |
 * | SMN_MAX_AGE_SECONDS   | replay window, default 900; 0 disables the timestamp check entirely.       |
 * | SMN_TOPIC_URNS        | accepted topic URNs, comma-separated; unset: any topic.                    |
 * | SMN_ALLOW_UNSIGNED    | "true" accepts unsigned messages (gateway-authenticated setups).           |
 *
 * <region> is DCS_REGION when set, else the region in the message's topic_urn.
 * Every problem is collected into ONE error naming the variables.
 */
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../domain/types';
import { REGION } from '../domain/ids';
import { readBooleanSetting, readIntegerSetting } from '../domain/settings';
import { regionOfTopicUrn, TOPIC_URN } from '../events/ids';
import { parseCertificates, type TrustedCert } from './certs';
import { HUAWEI_SMN_CERT_PEM } from './huawei-smn-cert';
import { HOSTNAME } from './url-policy';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SmnAuthConfig {
  /** Certificates a message may be verified with before any download. */
  trustedCerts: readonly TrustedCert[];
  /** Explicit download hosts; null: the regional default. Empty: downloads disabled. */
  certHosts: readonly string[] | null;
  /** Explicit confirmation hosts; null: the regional defaults. Empty: confirmation disabled. */
  confirmHosts: readonly string[] | null;
  /** DCS_REGION, used for the default hosts. */
  region: string | null;
  /** 0: no timestamp check. */
  maxAgeSeconds: number;
  /** How far in the future a timestamp may be (clock skew between SMN and us). */
  futureSkewSeconds: number;
  /** null: any topic. */
  topicUrns: readonly string[] | null;
  allowUnsigned: boolean;
}

export interface SmnConfigError {
  code: 'invalid_smn_config';
  /** One sentence listing every problem. */
  message: string;
  problems: string[];
}

export interface ConfigIo {
  /** Reads a certificate file (default: fs.readFileSync as UTF-8). */
  readFile?: (path: string) => string;
}

export const DEFAULT_MAX_AGE_SECONDS = 900;
export const FUTURE_SKEW_SECONDS = 60;
const MAX_AGE_LIMIT = 7 * 24 * 3600;
const HUAWEI_LABEL = 'huawei-published';

const defaultReadFile = (path: string): string => readFileSync(path, 'utf8');

const blank = (v: string | undefined): boolean => v === undefined || v.trim() === '';
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

function labelled(pem: string, label: string): Result<TrustedCert[], string> {
  const certs = parseCertificates(pem);
  if (!certs.ok) return certs;
  return ok(certs.value.map((cert, i) => ({ label: certs.value.length > 1 ? `${label} #${i + 1}` : label, cert })));
}

function readCertSource(value: string, readFile: (path: string) => string): Result<TrustedCert[], string> {
  let pem = value.trim();
  if (!pem.includes('-----BEGIN')) {
    try {
      pem = readFile(pem);
    } catch {
      return err(`SMN_SIGNING_CERT: cannot read the file ${JSON.stringify(pem.slice(0, 200))}`);
    }
  } else if (!pem.includes('\n')) {
    // One-line environment variables often carry PEM newlines as the two characters "\n".
    pem = pem.replace(/\\n/g, '\n');
  }
  const certs = labelled(pem, 'SMN_SIGNING_CERT');
  return certs.ok ? certs : err(`SMN_SIGNING_CERT: ${certs.error}`);
}

function readTrustedCerts(raw: string | undefined, readFile: (path: string) => string): Result<TrustedCert[], string> {
  const huawei = labelled(HUAWEI_SMN_CERT_PEM, HUAWEI_LABEL);
  if (!huawei.ok) return err(`pinned Huawei certificate: ${huawei.error}`); // cannot happen; tested
  if (raw === undefined || raw.trim() === '') return huawei;
  const value = raw.trim();
  if (!value.startsWith('+')) return readCertSource(value, readFile);
  const extra = readCertSource(value.slice(1), readFile);
  return extra.ok ? ok([...huawei.value, ...extra.value]) : extra;
}

function readHosts(name: string, raw: string | undefined): Result<string[] | null, string> {
  if (blank(raw)) return ok(null);
  const hosts = list(raw!.toLowerCase());
  if (hosts.length === 1 && hosts[0] === 'none') return ok([]);
  const bad = hosts.filter((h) => !HOSTNAME.test(h));
  if (bad.length > 0) return err(`${name}: ${bad.map((h) => JSON.stringify(h)).join(', ')} is not a host name (no scheme, port or path)`);
  return hosts.length > 0 ? ok(hosts) : ok(null);
}

function readMaxAge(raw: string | undefined): Result<number, string> {
  return readIntegerSetting('SMN_MAX_AGE_SECONDS', raw, { min: 0, max: MAX_AGE_LIMIT, fallback: DEFAULT_MAX_AGE_SECONDS, unit: 'seconds' });
}

function readTopics(raw: string | undefined): Result<string[] | null, string> {
  if (blank(raw)) return ok(null);
  const topics = list(raw!);
  const bad = topics.filter((t) => !TOPIC_URN.test(t));
  if (bad.length > 0) return err(`SMN_TOPIC_URNS: ${bad.map((t) => JSON.stringify(t)).join(', ')} is not a topic URN urn:smn:<region>:<project>:<topic>`);
  return ok(topics);
}

function readRegion(raw: string | undefined): Result<string | null, string> {
  if (blank(raw)) return ok(null);
  const region = raw!.trim();
  return REGION.test(region) ? ok(region) : err('DCS_REGION: is not a region id such as cn-north-4');
}

export function readSmnAuthConfig(env: Env, io: ConfigIo = {}): Result<SmnAuthConfig, SmnConfigError> {
  const readFile = io.readFile ?? defaultReadFile;
  const problems: string[] = [];
  const take = <T>(r: Result<T, string>, fallback: T): T => {
    if (r.ok) return r.value;
    problems.push(r.error);
    return fallback;
  };
  const config: SmnAuthConfig = {
    trustedCerts: take(readTrustedCerts(env.SMN_SIGNING_CERT, readFile), []),
    certHosts: take(readHosts('SMN_CERT_HOSTS', env.SMN_CERT_HOSTS), null),
    confirmHosts: take(readHosts('SMN_CONFIRM_HOSTS', env.SMN_CONFIRM_HOSTS), null),
    region: take(readRegion(env.DCS_REGION), null),
    maxAgeSeconds: take(readMaxAge(env.SMN_MAX_AGE_SECONDS), DEFAULT_MAX_AGE_SECONDS),
    futureSkewSeconds: FUTURE_SKEW_SECONDS,
    topicUrns: take(readTopics(env.SMN_TOPIC_URNS), null),
    allowUnsigned: take(readBooleanSetting('SMN_ALLOW_UNSIGNED', env.SMN_ALLOW_UNSIGNED), false),
  };
  if (problems.length > 0) {
    return err({ code: 'invalid_smn_config', message: `Invalid SMN configuration: ${problems.join('; ')}`, problems });
  }
  return ok(config);
}

/** The region default hosts are derived from: DCS_REGION, else the topic's. */
function regionFor(cfg: SmnAuthConfig, topicUrn: string | null | undefined): string | null {
  return cfg.region ?? regionOfTopicUrn(topicUrn);
}

/** Hosts signing_cert_url may be downloaded from, for a message on `topicUrn`. */
export function certHostsFor(cfg: SmnAuthConfig, topicUrn: string | null | undefined): string[] {
  if (cfg.certHosts !== null) return [...cfg.certHosts];
  const region = regionFor(cfg, topicUrn);
  return region === null ? [] : [`smn.${region}.myhuaweicloud.com`];
}

/** Hosts subscribe_url may point at, for a message on `topicUrn`. */
export function confirmHostsFor(cfg: SmnAuthConfig, topicUrn: string | null | undefined): string[] {
  if (cfg.confirmHosts !== null) return [...cfg.confirmHosts];
  const region = regionFor(cfg, topicUrn);
  const regional = region === null ? [] : [`${region}-console.huaweicloud.com`, `smn.${region}.myhuaweicloud.com`];
  return ['console.huaweicloud.com', ...regional];
}
