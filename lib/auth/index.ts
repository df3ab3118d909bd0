/** SMN HTTP(S) message authentication: the public surface of lib/auth. */
export { readSmnAuthConfig, certHostsFor, confirmHostsFor, DEFAULT_MAX_AGE_SECONDS, FUTURE_SKEW_SECONDS } from './config';
export type { SmnAuthConfig, SmnConfigError, ConfigIo, Env } from './config';
export { authenticateSmnMessage } from './verify';
export type { AuthOutcome, AuthDeps } from './verify';
export { createCertFetcher } from './cert-fetch';
export type { CertFetcher, CertFetchOptions } from './cert-fetch';
export { confirmSubscription } from './subscription';
export type { ConfirmDeps } from './subscription';
export { buildStringToSign, SIGNED_FIELDS } from './string-to-sign';
export { HUAWEI_SMN_CERT_PEM, HUAWEI_SMN_CERT_FINGERPRINT256 } from './huawei-smn-cert';
