import { createHmac, randomBytes } from 'node:crypto'

/** Standard Webhooks secrets: `whsec_` and the base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_'

export function newSecret (): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64')
}

/**
 * The signature headers of one delivery of `body`:
 * - X-Itam-Signature: GitHub's X-Hub-Signature-256 form, `sha256=` + hex HMAC-SHA256 of the raw
 *   body keyed by the secret string exactly as shown (with its `whsec_` prefix);
 * - webhook-id / webhook-timestamp / webhook-signature: the Standard Webhooks specification,
 *   `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed by the decoded secret.
 */
export function signatureHeaders (secret: string, id: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')
  const standard = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return {
    'x-itam-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${standard}`
  }
}
