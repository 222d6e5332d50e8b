// samlify 2 as a real, separately written IdP in the test process: it reads the AuthnRequest our
// start() produced (checking its signature against the SP certificate), and answers with a
// Response signed (Response and Assertion, or the Assertion only) and optionally encrypted for the
// SP's certificate, with multi-valued attributes.
import * as samlify from 'samlify'
import type { KeyPair } from './keys.ts'

// samlify refuses to run without an XML schema validator; the test IdP trusts its own documents.
samlify.setSchemaValidator({ validate: async () => 'skipped' })

const { binding } = samlify.Constants.namespace

export interface SamlifyIdpOptions {
  entityId: string
  keys: KeyPair
  /** Sign the whole Response too (default), or the Assertion only. */
  signResponse?: boolean
  /** Sign the Assertion (default); false: a Response signed only at its root. */
  signAssertion?: boolean
  /** Encrypt the assertion for the SP's certificate with this data algorithm. */
  encrypt?: 'http://www.w3.org/2009/xmlenc11#aes256-gcm' | 'http://www.w3.org/2001/04/xmlenc#aes128-cbc' | 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc'
  /** Key transport (default RSA-OAEP). */
  keyEncryption?: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p' | 'http://www.w3.org/2001/04/xmlenc#rsa-1_5'
  /** e.g. 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' (default RSA-SHA256). */
  signatureAlgorithm?: string
  /** Its SingleSignOnService (HTTP-Redirect), where start() sends the browser (default https://idp.example/sso). */
  ssoUrl?: string
}

export interface ServiceProviderAddresses { entityId: string, acsUrl: string, certificate: string }

export interface Person { nameId: string, nameIdFormat?: string, attributes: Record<string, string | string[]> }

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function attributeStatement (attributes: Record<string, string | string[]>): string {
  const items = Object.entries(attributes).map(([name, value]) =>
    `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${
      (Array.isArray(value) ? value : [value]).map(v => `<saml:AttributeValue xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`).join('')
    }</saml:Attribute>`)
  return items.length === 0 ? '' : `<saml:AttributeStatement>${items.join('')}</saml:AttributeStatement>`
}

export function samlifyIdp (options: SamlifyIdpOptions) {
  // The encryption algorithms are read by samlify at run time but missing from its settings type.
  const settings: Parameters<typeof samlify.IdentityProvider>[0] & { dataEncryptionAlgorithm?: string, keyEncryptionAlgorithm?: string } = {
    entityID: options.entityId,
    privateKey: options.keys.privateKey,
    signingCert: options.keys.certificate,
    wantAuthnRequestsSigned: true,
    isAssertionEncrypted: options.encrypt !== undefined,
    dataEncryptionAlgorithm: options.encrypt,
    keyEncryptionAlgorithm: options.keyEncryption ?? 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    requestSignatureAlgorithm: options.signatureAlgorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    singleSignOnService: [{ Binding: binding.redirect, Location: options.ssoUrl ?? 'https://idp.example/sso' }],
    singleLogoutService: [{ Binding: binding.redirect, Location: 'https://idp.example/slo' }]
  }
  const idp = samlify.IdentityProvider(settings)

  const serviceProvider = (sp: ServiceProviderAddresses) => samlify.ServiceProvider({
    entityID: sp.entityId,
    assertionConsumerService: [{ Binding: binding.post, Location: sp.acsUrl }],
    signingCert: sp.certificate,
    encryptCert: sp.certificate,
    authnRequestsSigned: true,
    wantAssertionsSigned: options.signAssertion ?? true,
    wantMessageSigned: options.signResponse ?? true
  })

  return {
    /** Its metadata as samlify publishes it (entity ID, signing certificate, SSO URL): what an admin pastes on the SAML page. */
    metadata: (): string => idp.getMetadata(),

    /** Reads the redirect-binding URL start() returned, as the IdP's SSO endpoint does: the signature must verify. */
    async readRequest (sp: ServiceProviderAddresses, url: string): Promise<{ id: string, relayState: string, acsUrl: string, issuer: string, sigAlg: string }> {
      const parsed = new URL(url)
      // What was signed: the query without its Signature (saml-bindings 3.4.4.1).
      const octetString = parsed.search.slice(1).split('&').filter(pair => !pair.startsWith('Signature=')).join('&')
      const query = Object.fromEntries(parsed.searchParams)
      const result = await idp.parseLoginRequest(serviceProvider(sp), 'redirect', { query, octetString })
      const request = result.extract.request as { id: string, assertionConsumerServiceUrl: string }
      return { id: request.id, relayState: query.RelayState, acsUrl: request.assertionConsumerServiceUrl, issuer: String(result.extract.issuer), sigAlg: query.SigAlg }
    },

    /** A Response for the SP, answering `inResponseTo` (undefined: IdP-initiated), as the POST binding's SAMLResponse. */
    async respond (sp: ServiceProviderAddresses, person: Person, inResponseTo?: string): Promise<string> {
      const now = new Date()
      const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString()
      const id = `_${crypto.randomUUID()}`
      const irt = inResponseTo === undefined ? '' : ` InResponseTo="${inResponseTo}"`
      const xml = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
        ` ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${sp.acsUrl}"${irt}>` +
        `<saml:Issuer>${options.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
        '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
        ` ID="_${crypto.randomUUID()}" Version="2.0" IssueInstant="${now.toISOString()}"><saml:Issuer>${options.entityId}</saml:Issuer>` +
        `<saml:Subject><saml:NameID Format="${person.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'}">${escape(person.nameId)}</saml:NameID>` +
        `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${later}" Recipient="${sp.acsUrl}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
        `<saml:Conditions NotBefore="${now.toISOString()}" NotOnOrAfter="${later}"><saml:AudienceRestriction><saml:Audience>${sp.entityId}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
        `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
        `${attributeStatement(person.attributes)}</saml:Assertion></samlp:Response>`
      // Encrypt, then sign the Response (its signature covers the EncryptedAssertion, as real IdPs do).
      const response = await idp.createLoginResponse(serviceProvider(sp), { extract: {} }, 'post', {}, () => ({ id, context: xml }), options.encrypt !== undefined)
      return response.context
    }
  }
}
