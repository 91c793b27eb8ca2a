import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The headers that sign a webhook body, as Agora's notification service signs its callbacks: HMAC of
 * the raw body bytes with the endpoint's secret, hex — SHA-1 in `Agora-Signature`, SHA-256 in
 * `Agora-Signature-V2` — so a backend written for Agora's webhooks verifies Parley's unchanged.
 */
export function webhookSignatureHeaders(secret: string, body: string | Uint8Array): { 'Agora-Signature': string; 'Agora-Signature-V2': string } {
  return {
    'Agora-Signature': createHmac('sha1', secret).update(body).digest('hex'),
    'Agora-Signature-V2': createHmac('sha256', secret).update(body).digest('hex'),
  };
}

/** Checks a received body against its Agora-Signature-V2 header (what a receiver does; tests and `parley webhook test`). */
export function verifyWebhookSignature(secret: string, body: string | Uint8Array, signatureV2: string): boolean {
  const expected = Buffer.from(webhookSignatureHeaders(secret, body)['Agora-Signature-V2'], 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/i.test(signatureV2) ? signatureV2 : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
