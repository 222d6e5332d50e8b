// IdP metadata as real identity providers publish it, around certificates a test makes: Okta's
// (prefixed md: elements, one signing certificate, POST and Redirect sign-on) and ADFS's (default
// namespace, a Signature, WS-Federation RoleDescriptors, an SPSSODescriptor beside the
// IDPSSODescriptor, an encryption key and two signing keys while it rolls them).
import { generate } from 'selfsigned'
import { base64Of } from '../../plugins/saml/fake.ts'

/** A self-signed certificate (PEM) valid until `notAfter`. */
export async function testCertificate (commonName: string, notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000)): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256', notBeforeDate: new Date(Math.min(Date.now(), notAfter.getTime()) - 24 * 3600 * 1000), notAfterDate: notAfter })
  return pems.cert
}

// Okta's metadata is the SAML plugin's fake's (the IdP it publishes at its metadata URL).
export { base64Of, oktaMetadata } from '../../plugins/saml/fake.ts'

const keyDescriptor = (use: string, certificate: string) =>
  `<KeyDescriptor use="${use}"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${base64Of(certificate)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`

export function adfsMetadata (keys: { signing: string[], encryption: string }): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_2b5c7a0e-1f5b-4b8a-9a43-6f0e2c1d9b11" entityID="http://adfs.acme.test/adfs/services/trust" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_2b5c7a0e-1f5b-4b8a-9a43-6f0e2c1d9b11"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${base64Of(keys.signing[0])}</X509Certificate></X509Data></KeyInfo></ds:Signature>
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    ${keyDescriptor('signing', keys.signing[0])}
    <fed:PassiveRequestorEndpoint><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://adfs.acme.test/adfs/ls/</Address></EndpointReference></fed:PassiveRequestorEndpoint>
  </RoleDescriptor>
  <SPSSODescriptor WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keyDescriptor('encryption', keys.encryption)}
    <AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.acme.test/adfs/ls/" index="0" isDefault="true"/>
  </SPSSODescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keyDescriptor('encryption', keys.encryption)}
    ${keys.signing.map(c => keyDescriptor('signing', c)).join('\n    ')}
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.acme.test/adfs/ls/"/>
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.acme.test/adfs/ls/"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.acme.test/adfs/ls/"/>
  </IDPSSODescriptor>
</EntityDescriptor>`
}
