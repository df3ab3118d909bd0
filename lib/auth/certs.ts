/**
 * X.509 certificates as signature verifiers: parsing PEM bundles, validity
 * dates, and the RSA-SHA256 check of signature_version v1.
 */
import type { X509Certificate } from 'node:crypto';
import { nodeCrypto } from '../runtime/lazy';
import { err, ok, type Result } from '../domain/types';

export interface TrustedCert {
  /** Where it came from, for logs: "huawei-published", "SMN_SIGNING_CERT #1", a URL. */
  label: string;
  cert: X509Certificate;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const MAX_CERTS = 16;

/**
 * Every certificate in a PEM text. Refuses texts holding a private key (a
 * pasted key pair would put the key into configuration and logs) and
 * certificates whose key is not RSA (v1 signatures are SHA256withRSA).
 */
export function parseCertificates(pem: string): Result<X509Certificate[], string> {
  if (PRIVATE_KEY.test(pem)) return err('contains a private key; give the certificate only');
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return err('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (blocks.length > MAX_CERTS) return err(`holds more than ${MAX_CERTS} certificates`);
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new (nodeCrypto().X509Certificate)(block);
    } catch {
      return err(`certificate #${i + 1} is not a valid X.509 certificate`);
    }
    if (cert.publicKey.asymmetricKeyType !== 'rsa') return err(`certificate #${i + 1} does not hold an RSA key`);
    certs.push(cert);
  }
  return ok(certs);
}

/** Whether `now` (epoch ms) lies within the certificate's validity period. */
export function isCurrentlyValid(cert: X509Certificate, now: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now && now <= to;
}

/** RSASSA-PKCS1-v1_5 / SHA-256 over the UTF-8 bytes of `data`. Never throws. */
export function verifiesWith(cert: X509Certificate, data: string, signature: Buffer): boolean {
  try {
    return nodeCrypto().verify('sha256', Buffer.from(data, 'utf8'), cert.publicKey, signature);
  } catch {
    return false;
  }
}
