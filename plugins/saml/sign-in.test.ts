import t from 'tap'
import { samlSignInSetup } from './testing/sign-in-setup.ts'
import { keyPair } from './testing/keys.ts'
import { samlifyIdp } from './testing/samlify-idp.ts'

// The SAML sign-in capability against samlify as the IdP: SP- and IdP-initiated sign-in, the
// signed parts, encrypted assertions, groups, rollover, replay.

const { addIdp, start, finish, tools, acme } = await samlSignInSetup(t)
const okta = await keyPair('okta.test')
const person = { nameId: 'dade@acme.test', attributes: { givenName: 'Dade', sn: 'Murphy', groups: ['it', 'staff'] } }

t.test('SP-initiated: a signed AuthnRequest, the Response answers it, the identity and policy come back', async t => {
  const entityId = 'http://www.okta.com/exk1'
  const idp = await addIdp({ key: 'okta', entityId, certificates: [okta.certificate], firstNameAttribute: 'givenName', lastNameAttribute: 'sn', groupAttribute: 'groups', createPeople: true, defaultRole: 'employee', roleMappings: [{ group: 'it', role: 'it-admin' }] })
  const peer = samlifyIdp({ entityId, keys: okta })
  const redirect = await start(idp, 'the-state')
  t.match(redirect.url, /^https:\/\/idp\.example\/sso\?SAMLRequest=/)
  const request = await peer.readRequest(idp.sp, redirect.url)
  t.same({ relayState: request.relayState, acsUrl: request.acsUrl, issuer: request.issuer, sigAlg: request.sigAlg }, {
    relayState: 'the-state', acsUrl: idp.sp.acsUrl, issuer: idp.sp.entityId, sigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
  }, 'RelayState is the state, the ACS URL the callback, the SP entity ID the start URL, signed with SHA-256')
  t.equal(redirect.secrets?.requestId, request.id, 'the request ID is kept with the attempt')

  const result = await finish(idp, await peer.respond(idp.sp, person, request.id), { state: 'the-state', secrets: redirect.secrets! })
  t.same(result, {
    ok: true,
    identity: { email: 'dade@acme.test', subject: `${entityId}|urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress|dade@acme.test`, firstName: 'Dade', lastName: 'Murphy', groups: ['it', 'staff'] },
    policy: { createPeople: true, roleMappings: [{ group: 'it', role: 'it-admin' }], defaultRole: 'employee' }
  })
  t.ok(await tools.db('saml_seen_assertions').where({ workspace_id: acme.id, idp_id: idp.id }).first(), 'the assertion ID is kept')
})
