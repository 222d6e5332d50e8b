// An IdP's signing certificate as the page reads it: PEM (or the bare base64 metadata carries),
// checked to be an X.509 certificate, and when it stops being valid.
import { X509Certificate } from 'node:crypto'

/** The page warns this many days before an IdP certificate expires. */
export const EXPIRY_WARNING_DAYS = 30
const DAY_MS = 24 * 3600 * 1000

export type ExpiryStatus = 'valid' | 'expiring' | 'expired'

export interface CertificateFacts {
  subject: string
  validTo: Date
  /** Whole days left (negative once expired). */
  daysLeft: number
  status: ExpiryStatus
  /** SHA-256 fingerprint, as IdP admin consoles show it. */
  fingerprint: string
}

/** A certificate as PEM from PEM or bare base64 (whitespace ignored); null when it is not an X.509 certificate. */
export function certificatePem (text: string): string | null {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return null
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`
  try {
    // eslint-disable-next-line no-new
    new X509Certificate(pem)
    return pem
  } catch {
    return null
  }
}

export function certificateFacts (pem: string, now = new Date()): CertificateFacts {
  const certificate = new X509Certificate(pem)
  const validTo = new Date(certificate.validTo)
  const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / DAY_MS)
  const status: ExpiryStatus = validTo <= now ? 'expired' : daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'valid'
  return { subject: certificate.subject.replace(/\n/g, ', '), validTo, daysLeft, status, fingerprint: certificate.fingerprint256 }
}
