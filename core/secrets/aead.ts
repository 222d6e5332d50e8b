import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { SecretDecryptError } from './errors.ts'

// AES-256-GCM with a versioned text format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
// Used both to wrap data keys (under the master key) and to encrypt secrets (under a data key).
const VERSION = 'v1'
const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16
export const KEY_BYTES = 32

export function seal (key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map(p => typeof p === 'string' ? p : p.toString('base64url')).join('.')
}

/** Decrypts and authenticates `token`; any change to it, the key or `aad` throws. */
export function open (key: Buffer, token: string, aad: string): Buffer {
  const parts = token.split('.')
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretDecryptError(`Not a Stocktake ciphertext: expected "${VERSION}." followed by three base64url parts`)
  }
  const [iv, tag, ciphertext] = parts.slice(1).map(strictBase64url)
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
    throw new SecretDecryptError('Malformed ciphertext: bad initialisation vector, tag or encoding')
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    throw new SecretDecryptError('Decryption failed: the ciphertext was altered or belongs to another workspace')
  }
}

/** A short, non-secret name of a key (SHA-256, 16 hex digits), to tell keys apart in errors. */
export function fingerprint (key: Buffer): string {
  return createHash('sha256').update('stocktake-master-key\0').update(key).digest('hex').slice(0, 16)
}

/** Base64url that decodes and re-encodes to itself, so no character can change unnoticed. */
function strictBase64url (text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}
