// An identity provider publishing its SAML metadata, as Okta does for an app integration: the
// EntityDescriptor at https://<org>.okta.com/app/<app id>/sso/saml/metadata (no sign-in needed),
// served as application/samlmetadata+xml; any other path answers 404 with an HTML page, as Okta's
// does. Reached through routeToFake(fake.url), it is what the SAML page fetches when an admin adds
// an IdP from its metadata URL, and what the conformance suite starts. The plugin has no settings
// and no test(): an IdP is only ever asked for its metadata by the server, everything else goes
// through the browser.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generate } from 'selfsigned'
import type { FakeOptions, PluginFake } from '../../core/sdk/testing.ts'

/** Okta's app id in its URLs and entity ID. */
export const OKTA_APP = 'exk1fcia6d6EMsf8i0h8'

/** The base64 of a PEM certificate, as metadata carries it. */
export const base64Of = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')

/** Okta's metadata for an app: prefixed md: elements, one signing certificate, POST and Redirect sign-on. */
export function oktaMetadata (certificate: string, app = OKTA_APP): string {
  return `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/${app}"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${base64Of(certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/acme_stocktake_1/${app}/sso/saml"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/acme_stocktake_1/${app}/sso/saml"/></md:IDPSSODescriptor></md:EntityDescriptor>`
}

export interface SamlFakeOptions extends FakeOptions {
  /** The app id in the metadata's path and entity ID (default OKTA_APP). */
  app?: string
  /** The IdP's signing certificate (PEM); default: a fresh self-signed one. */
  certificate?: string
}

export interface SamlFake extends PluginFake {
  /** The metadata's path: https://<any host>/<this>, routed here. */
  metadataPath: string
  entityId: string
  certificate: string
  /** The path of every request received, in order. */
  requests: string[]
}

export async function startFake (options: SamlFakeOptions = {}): Promise<SamlFake> {
  const app = options.app ?? OKTA_APP
  const certificate = options.certificate ?? (await generate([{ name: 'commonName', value: 'Okta fake' }], { keySize: 2048, algorithm: 'sha256' })).cert
  const metadataPath = `/app/${app}/sso/saml/metadata`
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.method === 'GET' && req.url === metadataPath) {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml;charset=utf-8' }).end(oktaMetadata(certificate, app))
    } else {
      res.writeHead(404, { 'content-type': 'text/html;charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>404 - Page Not Found</h1></body></html>')
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    settings: {},
    metadataPath,
    entityId: `http://www.okta.com/${app}`,
    certificate,
    requests,
    close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) }
  }
}
