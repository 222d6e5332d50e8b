// A service provider's key pair for one IdP: an RSA key and a self-signed certificate (the IdP
// trusts the certificate as given in the SP's metadata; no CA is involved), ten years.
import { generate } from 'selfsigned'
import type { SealedSecrets } from '../../../core/sdk.ts'

export async function newServiceProviderKeys (commonName: string, secrets: SealedSecrets): Promise<{ certificate: string, sealedPrivateKey: string }> {
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000)
  const pems = await generate([{ name: 'commonName', value: commonName.slice(0, 64) }], { keySize: 2048, algorithm: 'sha256', notAfterDate })
  return { certificate: pems.cert, sealedPrivateKey: await secrets.seal(pems.private) }
}
