// What the IdP's admin registers for Stocktake, per IdP: the SP entity ID (the sign-in method's
// start URL, as sign-in/ checks the audience), the ACS URL (its callback, HTTP-POST), the SP
// certificate, and the metadata carrying all three.
import { generateServiceProviderMetadata } from '@node-saml/node-saml'
import type { PageTools } from '../../../core/sdk.ts'
import type { Idp } from '../idps/types.ts'

export interface ServiceProviderDetails {
  entityId: string
  acsUrl: string
  certificate: string
  metadataXml: string
  /** The metadata as a data: URL for a download link (the pages' CSP governs no downloads). */
  metadataDownload: string
  metadataFileName: string
}

export function serviceProviderDetails (idp: Pick<Idp, 'key' | 'spCertificate' | 'sealedSpPrivateKey'>, tools: Pick<PageTools, 'signInUrls'>): ServiceProviderDetails {
  const urls = tools.signInUrls(idp.key)
  const metadataXml = generateServiceProviderMetadata({
    issuer: urls.start,
    callbackUrl: urls.callback,
    // node-saml publishes a signing KeyDescriptor when given a private key and an encryption one
    // with a decryption key (sign-in/ signs requests and decrypts assertions with this pair); it
    // reads neither key unless asked to sign the metadata, so the sealed one stands in and the
    // key is never opened to show a page.
    privateKey: idp.sealedSpPrivateKey,
    publicCerts: idp.spCertificate,
    decryptionPvk: idp.sealedSpPrivateKey,
    decryptionCert: idp.spCertificate,
    identifierFormat: null,
    wantAssertionsSigned: true,
    generateUniqueId: () => `_stocktake-${idp.key}`
  })
  return {
    entityId: urls.start,
    acsUrl: urls.callback,
    certificate: idp.spCertificate,
    metadataXml,
    metadataDownload: `data:application/samlmetadata+xml;base64,${Buffer.from(metadataXml).toString('base64')}`,
    metadataFileName: `stocktake-${idp.key}-metadata.xml`
  }
}
