import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

export interface KeyPair { privateKey: string, certificate: string }

/** A fresh RSA-2048 key and a self-signed SHA-256 certificate for it (PEM), made by openssl as an IdP or SP administrator would. */
export async function selfSignedCertificate (commonName: string, days = 30): Promise<KeyPair> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-cert-'))
  try {
    const keyFile = path.join(dir, 'key.pem')
    const certFile = path.join(dir, 'cert.pem')
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(days),
      '-subj', `/CN=${commonName}`, '-keyout', keyFile, '-out', certFile])
    return { privateKey: await fs.readFile(keyFile, 'utf8'), certificate: await fs.readFile(certFile, 'utf8') }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** The base64 DER body of a PEM certificate, as SAML metadata carries it in X509Certificate. */
export const certificateBody = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '')
