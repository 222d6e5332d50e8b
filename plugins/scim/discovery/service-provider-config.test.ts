import t from 'tap'
import { serviceProviderConfig } from './index.ts'

t.test('the ServiceProviderConfig document (RFC 7643 §5)', async t => {
  t.strictSame(serviceProviderConfig('https://acme.example.com/scim/v2'), {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/stocktake/stocktake/blob/main/plugins/scim/README.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication scheme using the OAuth Bearer Token Standard',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: 'https://acme.example.com/scim/v2/ServiceProviderConfig' }
  })
})

t.test('a trailing slash on the base URL does not double in meta.location', async t => {
  t.equal((serviceProviderConfig('https://acme.example.com/scim/v2/').meta as any).location,
    'https://acme.example.com/scim/v2/ServiceProviderConfig')
})
