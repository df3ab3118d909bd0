/**
 * Authentication of an SMN HTTP(S) message, in this order (cheapest and most
 * telling first):
 *
 * 1. the type is one whose signed fields are known, signed with v1  → else 400/401
 * 2. the topic is on SMN_TOPIC_URNS                                 → else 403
 * 3. the timestamp is inside the replay window                       → else 401
 * 4. the signature verifies with a pinned, currently valid certificate,
 * 5. or else with the certificate downloaded from signing_cert_url
 *    (rules in cert-fetch.ts)                                        → else 401
 *
 * An unsigned message passes only with SMN_ALLOW_UNSIGNED=true, and the
 * outcome says so, for the caller to log loudly. Messages from the
 * FunctionGraph SMN trigger never come here: the platform delivers those.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { reject } from '../events/rejection';
import { canonicalMessageType, isSignedMessageType, type SmnMessageType } from '../events/smn-message';
import { isCurrentlyValid, verifiesWith } from './certs';
import type { CertFetcher } from './cert-fetch';
import { certHostsFor, type SmnAuthConfig } from './config';
import { buildStringToSign } from './string-to-sign';

export type AuthOutcome =
  | {
      authenticated: true;
      messageType: SmnMessageType;
      /** Which certificate verified it: a pinned one, or the one downloaded from signing_cert_url. */
      certSource: 'pinned' | 'downloaded';
      /** Label of the pinned certificate, or the download URL. */
      certLabel: string;
      certFingerprint256: string;
    }
  | {
      authenticated: false;
      messageType: SmnMessageType;
      /** Accepted without a valid signature because SMN_ALLOW_UNSIGNED=true: log this loudly. */
      unsignedAllowed: true;
      warning: string;
    };

export interface AuthDeps {
  /** Current time, epoch ms. */
  now: number;
  /** Download fallback; without it only pinned certificates count. */
  fetchCert?: CertFetcher;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

const unauthenticated = (code: string, reason: string): Rejection => reject(401, code, reason);

function checkType(msg: SmnHttpMessage): Result<SmnMessageType, Rejection> {
  const type = canonicalMessageType(msg.type);
  if (!isSignedMessageType(type)) {
    return err(reject(400, 'unsupported_message_type', `type: ${JSON.stringify(msg.type.slice(0, 64))} is not a message type this endpoint handles`));
  }
  return ok(type);
}

function checkTopic(msg: SmnHttpMessage, cfg: SmnAuthConfig): Result<void, Rejection> {
  if (cfg.topicUrns === null) return ok(undefined);
  if (msg.topic_urn !== undefined && cfg.topicUrns.includes(msg.topic_urn)) return ok(undefined);
  return err(reject(403, 'topic_not_allowed', 'topic_urn: is not on SMN_TOPIC_URNS'));
}

/** Replay window: signatures never expire, so the signed timestamp is all that bounds a replay. */
function checkFreshness(msg: SmnHttpMessage, cfg: SmnAuthConfig, now: number): Result<void, Rejection> {
  if (cfg.maxAgeSeconds === 0) return ok(undefined);
  const sent = msg.timestamp !== undefined && ISO_TIMESTAMP.test(msg.timestamp) ? Date.parse(msg.timestamp) : NaN;
  if (!Number.isFinite(sent)) return err(unauthenticated('bad_timestamp', 'timestamp: is missing or not an ISO 8601 time'));
  const ageSeconds = Math.floor((now - sent) / 1000);
  if (ageSeconds > cfg.maxAgeSeconds) {
    return err(unauthenticated('stale_message', `timestamp: message is ${ageSeconds} s old, more than SMN_MAX_AGE_SECONDS=${cfg.maxAgeSeconds}`));
  }
  if (-ageSeconds > cfg.futureSkewSeconds) {
    return err(unauthenticated('future_message', `timestamp: message is ${-ageSeconds} s in the future (allowed skew ${cfg.futureSkewSeconds} s)`));
  }
  return ok(undefined);
}

/** The decoded signature, or null when the message carries none. */
function readSignature(msg: SmnHttpMessage): Result<Buffer | null, Rejection> {
  if (msg.signature === undefined || msg.signature === '') return ok(null);
  if (msg.signature_version !== 'v1') {
    return err(unauthenticated('unsupported_signature_version', 'signature_version: only "v1" is supported'));
  }
  if (!STRICT_BASE64.test(msg.signature)) return err(unauthenticated('bad_signature', 'signature: is not base64'));
  return ok(Buffer.from(msg.signature, 'base64'));
}

async function checkSignature(
  msg: SmnHttpMessage,
  type: SmnMessageType,
  signature: Buffer,
  cfg: SmnAuthConfig,
  deps: AuthDeps,
): Promise<Result<AuthOutcome, Rejection>> {
  const signed = buildStringToSign(msg, type);
  if (!signed.ok) return signed;
  const verified = (certSource: 'pinned' | 'downloaded', certLabel: string, certFingerprint256: string): Result<AuthOutcome, Rejection> =>
    ok({ authenticated: true, messageType: type, certSource, certLabel, certFingerprint256 });

  for (const { label, cert } of cfg.trustedCerts) {
    if (isCurrentlyValid(cert, deps.now) && verifiesWith(cert, signed.value, signature)) {
      return verified('pinned', label, cert.fingerprint256);
    }
  }
  const noPinned = 'signature: no trusted certificate verifies it';
  if (deps.fetchCert === undefined || msg.signing_cert_url === undefined) return err(unauthenticated('bad_signature', noPinned));
  const downloaded = await deps.fetchCert(msg.signing_cert_url, certHostsFor(cfg, msg.topic_urn), deps.now);
  if (!downloaded.ok) return err({ ...downloaded.error, reason: `${noPinned}, and ${downloaded.error.reason}` });
  if (!verifiesWith(downloaded.value, signed.value, signature)) {
    return err(unauthenticated('bad_signature', 'signature: does not verify with any trusted or downloaded certificate'));
  }
  return verified('downloaded', msg.signing_cert_url, downloaded.value.fingerprint256);
}

export async function authenticateSmnMessage(
  msg: SmnHttpMessage,
  cfg: SmnAuthConfig,
  deps: AuthDeps,
): Promise<Result<AuthOutcome, Rejection>> {
  const type = checkType(msg);
  if (!type.ok) return type;
  const signature = readSignature(msg);
  if (!signature.ok) return signature;
  const topic = checkTopic(msg, cfg);
  if (!topic.ok) return topic;
  const fresh = checkFreshness(msg, cfg, deps.now);
  if (!fresh.ok) return fresh;

  if (signature.value === null) {
    if (!cfg.allowUnsigned) return err(unauthenticated('missing_signature', 'signature: is missing (unsigned messages are refused)'));
    return ok({
      authenticated: false,
      messageType: type.value,
      unsignedAllowed: true,
      warning: 'SMN message accepted WITHOUT signature verification because SMN_ALLOW_UNSIGNED=true',
    });
  }
  return checkSignature(msg, type.value, signature.value, cfg, deps);
}
