// An IdP's metadata fetched from its URL through ctx.http (allowedHosts '*': any public https
// host; private addresses refused by the core's egress guard), for the add form.
import { failureWords, ValidationError, type ConnectorContext } from '../../../core/sdk.ts'
import { MAX_METADATA_CHARS } from './metadata.ts'

const TIMEOUT_MS = 10_000

export async function fetchMetadata (ctx: ConnectorContext, url: string, field: string): Promise<string> {
  if (!URL.canParse(url) || new URL(url).protocol !== 'https:') {
    throw ValidationError.of(field, 'https_url', 'Metadata URL must be an https:// URL, like https://acme.okta.com/app/…/sso/saml/metadata.')
  }
  let body: unknown
  try {
    body = (await ctx.http.request({ url, auth: 'none', timeoutMs: TIMEOUT_MS, headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml;q=0.9, */*;q=0.1' } })).body
  } catch (err) {
    throw ValidationError.of(field, 'fetch', `Metadata URL could not be read: ${failureWords(err, 'The identity provider')}.`)
  }
  if (typeof body !== 'string') throw ValidationError.of(field, 'xml', 'Metadata URL answered with JSON, not SAML metadata (XML).')
  if (body.length > MAX_METADATA_CHARS) throw ValidationError.of(field, 'max_length', 'Metadata URL answered with more than a megabyte: not an identity provider\'s metadata.')
  return body
}
