// The assertions Microsoft's Postman collection (AzureAD/SCIMReferenceCode) makes on discovery.
import t from 'tap'
import { resourceTypes, schemas, serviceProviderConfig } from './index.ts'

const BASE = 'https://acme.example.com/scim/v2'
// Postman's pm.response.json() sees the document as it travels.
const overTheWire = (document: unknown): any => JSON.parse(JSON.stringify(document))

t.test('Get ResourceTypes: "User endpoint exists"', async t => {
  t.equal(overTheWire(resourceTypes(BASE)).Resources[0].endpoint, '/Users')
})

t.test('Get ServiceProviderConfig (/serviceConfiguration): "Pach supported is true"', async t => {
  t.equal(overTheWire(serviceProviderConfig(BASE)).patch.supported, true)
})

t.test('Get Schemas: "Body contians User Account"', async t => {
  t.ok(JSON.stringify(schemas(BASE)).includes('User Account'))
})
