// @boxyhq/saml20's createSAMLResponse as the IdP for the refusal cases: a Response and Assertion
// signed (RSA-SHA256) with the IdP's key, optionally changed and signed again, so that each case
// differs from an accepted sign-in only in the one thing its check is about.
import boxyhq from '@boxyhq/saml20'
import type { KeyPair } from './keys.ts'

// A CommonJS module whose `exports.default` holds the API: Node's ESM import sees it one level down.
const saml20 = boxyhq.default

export interface BoxyResponseOptions {
  issuer: string
  audience: string
  acsUrl: string
  requestId: string
  email: string
  keys: KeyPair
  /** Changes the XML before it is signed (again) with `keys`. */
  change?: (xml: string) => string
  ttlInMinutes?: number
}

const SIGNATURE = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/g
const ASSERTION_XPATH = '//*[local-name(.)="Assertion"]'
const RESPONSE_XPATH = '/*[local-name(.)="Response" and namespace-uri(.)="urn:oasis:names:tc:SAML:2.0:protocol"]'

export const withoutSignatures = (xml: string): string => xml.replace(SIGNATURE, '')

/** Signs the Assertion, then the Response, as createSAMLResponse does. */
export const signBoth = (xml: string, keys: KeyPair): string =>
  saml20.sign(saml20.sign(xml, keys.privateKey, keys.certificate, ASSERTION_XPATH), keys.privateKey, keys.certificate, RESPONSE_XPATH)

export async function boxyResponseXml (options: BoxyResponseOptions): Promise<string> {
  const xml = await saml20.createSAMLResponse({
    issuer: options.issuer,
    audience: options.audience,
    acsUrl: options.acsUrl,
    requestId: options.requestId,
    claims: { email: options.email, raw: { email: options.email } },
    privateKey: options.keys.privateKey,
    publicKey: options.keys.certificate,
    ttlInMinutes: options.ttlInMinutes
  })
  return options.change === undefined ? xml : signBoth(options.change(withoutSignatures(xml)), options.keys)
}

export const base64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64')
