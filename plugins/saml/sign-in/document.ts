// The SAML Response as it arrived, read before node-saml verifies it: what node-saml 5.1 does not
// look at (the Response's Destination, Issuer and InResponseTo), the assertions (encrypted ones
// decrypted with the SP key), and which algorithms its signatures use.
import { DOMParser } from '@xmldom/xmldom'
// node-saml's own decryption (xml-encryption), so the assertion read here is the one it verifies.
import { decryptXml } from '@node-saml/node-saml/lib/xml.js'
import { Refusal } from './refusals.ts'

export const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
export const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
export const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const XENC = 'http://www.w3.org/2001/04/xmlenc#'

// Refused before decrypting: RSA PKCS#1 v1.5 key transport (a padding oracle; Node 20 refuses it
// anyway) and Triple DES. xml-encryption, as node-saml calls it, would try both.
const WEAK_ENCRYPTION = new Set([`${XENC}rsa-1_5`, `${XENC}tripledes-cbc`])

const MALFORMED = 'The identity provider\'s answer could not be read as a SAML Response.'

/** Parses XML, refusing DTDs (entity expansion) and anything xmldom reports as an error. */
export function parseXml (xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new Refusal('malformed', MALFORMED)
  let failed = false
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: () => { failed = true }, fatalError: () => { failed = true } } })
    .parseFromString(xml, 'text/xml')
  if (failed || doc.documentElement === null) throw new Refusal('malformed', MALFORMED)
  // xmldom's element, typed as the DOM's (xmldom's typings declare their own, not exported).
  return doc.documentElement as unknown as Element
}

/** The child elements of `parent` with this namespace and local name. */
export function childrenNamed (parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = []
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== 1) continue
    const element = node as Element
    if (element.namespaceURI === namespace && element.localName === localName) found.push(element)
  }
  return found
}

export const childText = (parent: Element, namespace: string, localName: string): string | undefined =>
  childrenNamed(parent, namespace, localName)[0]?.textContent?.trim()

const attribute = (element: Element, name: string): string | undefined => element.hasAttribute(name) ? element.getAttribute(name) ?? undefined : undefined

export interface ReceivedResponse {
  /** The XML as posted (what node-saml verifies). */
  xml: string
  destination?: string
  issuer?: string
  inResponseTo?: string
  /** The top-level StatusCode (`urn:…:status:Success` or why the IdP refused) and its message, unverified. */
  status: { code?: string, subcode?: string, message?: string }
  /** The Response's own signature elements (none: the Response is not signed). */
  signatures: Element[]
  /** Its assertions, encrypted ones decrypted (unverified: for the algorithm and "is it signed" checks only). */
  assertions: Element[]
}

export async function readResponse (samlResponse: string | undefined, spPrivateKey: string): Promise<ReceivedResponse> {
  if (samlResponse === undefined || samlResponse === '' || !/^[A-Za-z0-9+/=\s]+$/.test(samlResponse)) {
    throw new Refusal('malformed', 'The identity provider sent no SAMLResponse (or not one in base64).')
  }
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8')
  const response = parseXml(xml)
  if (response.namespaceURI !== PROTOCOL || response.localName !== 'Response') throw new Refusal('malformed', MALFORMED)
  const assertions = childrenNamed(response, ASSERTION, 'Assertion')
  for (const encrypted of childrenNamed(response, ASSERTION, 'EncryptedAssertion')) {
    refuseWeakEncryption(encrypted)
    let decrypted: string
    try {
      decrypted = await decryptXml(encrypted.toString(), spPrivateKey)
    } catch {
      throw new Refusal('cannot_decrypt', 'The assertion is encrypted for another key: give the identity provider the SP certificate Stocktake shows for it.')
    }
    assertions.push(parseXml(decrypted))
  }
  return {
    xml,
    destination: attribute(response, 'Destination'),
    issuer: childText(response, ASSERTION, 'Issuer'),
    inResponseTo: attribute(response, 'InResponseTo'),
    status: statusOf(response),
    signatures: childrenNamed(response, DSIG, 'Signature'),
    assertions
  }
}

function refuseWeakEncryption (encrypted: Element): void {
  const methods = encrypted.getElementsByTagNameNS(XENC, 'EncryptionMethod')
  for (let i = 0; i < methods.length; i++) {
    const algorithm = methods.item(i)?.getAttribute('Algorithm') ?? ''
    if (WEAK_ENCRYPTION.has(algorithm)) {
      throw new Refusal('weak_encryption', `The identity provider encrypts the assertion with ${algorithm}, which Stocktake refuses. Choose RSA-OAEP and AES (CBC or GCM) at the IdP.`)
    }
  }
}

function statusOf (response: Element): ReceivedResponse['status'] {
  const status = childrenNamed(response, PROTOCOL, 'Status')[0]
  const code = status === undefined ? undefined : childrenNamed(status, PROTOCOL, 'StatusCode')[0]
  const subcode = code === undefined ? undefined : childrenNamed(code, PROTOCOL, 'StatusCode')[0]
  return { code: code?.getAttribute('Value') ?? undefined, subcode: subcode?.getAttribute('Value') ?? undefined, message: status === undefined ? undefined : childText(status, PROTOCOL, 'StatusMessage') }
}

const STRONG = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512'
])

/** Every signature and digest algorithm in these elements is SHA-256 or stronger (SHA-1 is refused). */
export function refuseWeakSignatures (elements: Element[]): void {
  for (const element of elements) {
    for (const name of ['SignatureMethod', 'DigestMethod']) {
      const nodes = element.getElementsByTagNameNS(DSIG, name)
      for (let i = 0; i < nodes.length; i++) {
        const algorithm = nodes.item(i)?.getAttribute('Algorithm') ?? ''
        if (!STRONG.has(algorithm)) {
          throw new Refusal('weak_signature', `The identity provider signs with ${algorithm || 'an unnamed algorithm'}; Stocktake requires SHA-256 or stronger. Set the IdP's signing algorithm to SHA-256.`)
        }
      }
    }
  }
}
