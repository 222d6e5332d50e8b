// Key pairs for the test IdPs: an RSA key and a self-signed certificate, as an IdP publishes one.
import { generate } from 'selfsigned'

export interface KeyPair { privateKey: string, certificate: string }

export async function keyPair (commonName: string): Promise<KeyPair> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' })
  return { privateKey: pems.private, certificate: pems.cert }
}
