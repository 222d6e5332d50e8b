// An identity provider's SAML metadata (an EntityDescriptor) read for what Stocktake needs of it:
// the entity ID, the single sign-on service for the HTTP-Redirect binding, and the signing
// certificates. Parsed with xmldom, strictly: a warning is a refusal, and a DOCTYPE (the door to
// entity expansion and external entities) is refused before parsing.
import { DOMParser } from '@xmldom/xmldom'
import { ValidationError } from '../../../core/sdk.ts'
import { certificateFacts, certificatePem } from './certificates.ts'

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'
const DS = 'http://www.w3.org/2000/09/xmldsig#'
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
/** Metadata of one IdP is a few kB (Entra's, with its signature and WS-Fed roles, about 25 kB). */
export const MAX_METADATA_CHARS = 1_000_000

export interface IdpTrust { entityId: string, ssoUrl: string, certificates: string[] }

const plainMessage = (message: string): string =>
  message.replace(/^\[xmldom (warning|error|fatalError)\]\s*/, '').replace(/\s*@#\[line:(\d+|undefined),col:(\d+|undefined)\]\s*$/, (_m, line: string) => line === 'undefined' ? '' : ` (line ${line})`).trim()

function parseStrictly (xml: string, field: string): Document {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) throw ValidationError.of(field, 'xml', 'is not well-formed XML: it holds control characters XML does not allow.')
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw ValidationError.of(field, 'no_doctype', 'Metadata with a DOCTYPE is refused: SAML metadata has none, and one can smuggle in entities. Paste the EntityDescriptor alone.')
  const problems: string[] = []
  const record = (message: string) => { problems.push(plainMessage(message)) }
  const document = new DOMParser({ locator: {}, errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(xml, 'text/xml')
  if (problems.length > 0 || !document?.documentElement) {
    throw ValidationError.of(field, 'xml', `is not well-formed XML${problems.length > 0 ? `: ${problems[0]}` : ''}.`)
  }
  return document as unknown as Document
}

const children = (parent: Element, namespace: string, name: string): Element[] =>
  Array.from(parent.childNodes as unknown as ArrayLike<Element>).filter(node => node.nodeType === 1 && node.namespaceURI === namespace && node.localName === name)

/** The distinct certificates of the signing KeyDescriptors (use="signing", or no use: both). */
function signingCertificates (descriptor: Element, field: string): string[] {
  const pems = new Set<string>()
  for (const key of children(descriptor, MD, 'KeyDescriptor')) {
    const use = key.getAttribute('use')
    if (use !== null && use !== '' && use !== 'signing') continue
    for (const node of Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate') as unknown as ArrayLike<Element>)) {
      const pem = certificatePem(node.textContent ?? '')
      if (pem === null) throw ValidationError.of(field, 'certificate', 'has a signing KeyDescriptor whose X509Certificate is not an X.509 certificate.')
      pems.add(pem)
    }
  }
  return [...pems]
}

/** What the metadata says of its one IdP; a ValidationError on `field` naming what is missing. */
export function parseIdpMetadata (xml: string, field: string): IdpTrust {
  if (xml.length > MAX_METADATA_CHARS) throw ValidationError.of(field, 'max_length', `is over ${MAX_METADATA_CHARS.toLocaleString('en')} characters: an identity provider's metadata is a few kilobytes.`)
  const document = parseStrictly(xml.trim(), field)
  const descriptors = Array.from(document.getElementsByTagNameNS(MD, 'IDPSSODescriptor'))
  if (descriptors.length === 0) throw ValidationError.of(field, 'idp_descriptor', 'has no IDPSSODescriptor: it is not an identity provider\'s SAML metadata (a service provider\'s, or another format?).')
  if (descriptors.length > 1) throw ValidationError.of(field, 'one_idp', `describes ${descriptors.length} identity providers: give the metadata of one.`)
  const descriptor = descriptors[0] as unknown as Element
  const entity = descriptor.parentNode as Element | null
  const entityId = entity?.localName === 'EntityDescriptor' ? (entity.getAttribute('entityID') ?? '').trim() : ''
  if (entityId === '') throw ValidationError.of(field, 'entity_id', 'has no entityID on its EntityDescriptor.')
  const redirect = children(descriptor, MD, 'SingleSignOnService').find(s => s.getAttribute('Binding') === HTTP_REDIRECT)
  const ssoUrl = (redirect?.getAttribute('Location') ?? '').trim()
  if (ssoUrl === '') throw ValidationError.of(field, 'sso_url', 'has no SingleSignOnService with the HTTP-Redirect binding, which Stocktake sends sign-in requests with.')
  const certificates = signingCertificates(descriptor, field)
  if (certificates.length === 0) throw ValidationError.of(field, 'certificate', 'has no signing certificate (a KeyDescriptor with an X509Certificate).')
  // During a roll an IdP may publish more than two; the two that stay valid longest are the ones to trust.
  const latest = certificates.map(pem => ({ pem, validTo: certificateFacts(pem).validTo.getTime() })).sort((a, b) => b.validTo - a.validTo).slice(0, 2)
  return { entityId, ssoUrl, certificates: latest.map(c => c.pem) }
}
