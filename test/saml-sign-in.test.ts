import t from 'tap'
import { samlSignIn } from '../plugins/saml/sign-in/index.ts'
import { samlSignInSetup } from './helpers/saml/sign-in-setup.ts'
import { keyPair } from './helpers/saml/keys.ts'
import { samlifyIdp } from './helpers/saml/samlify-idp.ts'

// The SAML sign-in capability against samlify as the IdP: SP- and IdP-initiated sign-in, the
// signed parts, encrypted assertions, groups, rollover, replay.

const setup = await samlSignInSetup(t)
const { addIdp, start, finish, tools, acme } = setup
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
  const forged = new URL(redirect.url)
  forged.searchParams.set('RelayState', 'another-state')
  await t.rejects(peer.readRequest(idp.sp, forged.toString()), 'the IdP checks the request\'s signature: a changed RelayState does not verify')

  const result = await finish(idp, await peer.respond(idp.sp, person, request.id), { state: 'the-state', secrets: redirect.secrets! })
  t.same(result, {
    ok: true,
    identity: { email: 'dade@acme.test', subject: `${entityId}|urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress|dade@acme.test`, firstName: 'Dade', lastName: 'Murphy', groups: ['it', 'staff'] },
    policy: { createPeople: true, roleMappings: [{ group: 'it', role: 'it-admin' }], defaultRole: 'employee' }
  })
  t.ok(await tools.db('saml_seen_assertions').where({ workspace_id: acme.id, idp_id: idp.id }).first(), 'the assertion ID is kept')
})

/** An SP-initiated sign-in up to the IdP's answer: the attempt the core would hold, and the request's ID. */
async function spInitiated (idp: Parameters<typeof start>[0], peer: ReturnType<typeof samlifyIdp>) {
  const redirect = await start(idp, `state-${idp.key}`)
  const request = await peer.readRequest(idp.sp, redirect.url)
  return { requestId: request.id, attempt: { state: `state-${idp.key}`, secrets: redirect.secrets! } }
}

t.test('IdP-initiated: accepted when the IdP record allows it and the Response answers no request', async t => {
  const entityId = 'https://idp.jumpcloud.test/tile'
  const allowed = await addIdp({ key: 'tile-on', entityId, certificates: [okta.certificate], allowIdpInitiated: true })
  const refused = await addIdp({ key: 'tile-off', entityId, certificates: [okta.certificate] })
  const peer = samlifyIdp({ entityId, keys: okta })
  t.match(await finish(allowed, await peer.respond(allowed.sp, person)), { ok: true, identity: { email: 'dade@acme.test' } })
  t.match(await finish(refused, await peer.respond(refused.sp, person)), { ok: false, reason: 'unsolicited', message: /app list is not allowed/ }, 'off by default')
  const answer = await peer.respond(allowed.sp, person, '_a-request-this-browser-never-started')
  t.match(await finish(allowed, answer), { ok: false, reason: 'unsolicited', message: /did not start/ }, 'an answer to some request, arriving without the attempt, is not IdP-initiated')
})

t.test('InResponseTo must be the request this attempt sent', async t => {
  const entityId = 'http://www.okta.com/exk-irt'
  const idp = await addIdp({ key: 'irt', entityId, certificates: [okta.certificate] })
  const peer = samlifyIdp({ entityId, keys: okta })
  const first = await spInitiated(idp, peer)
  const second = await spInitiated(idp, peer)
  t.match(await finish(idp, await peer.respond(idp.sp, person, second.requestId), first.attempt), { ok: false, reason: 'in_response_to_mismatch' })
  t.match(await finish(idp, await peer.respond(idp.sp, person), first.attempt), { ok: false, reason: 'in_response_to_mismatch' }, 'an unsolicited Response arriving with an attempt')
  t.match(await finish(idp, await peer.respond(idp.sp, person, first.requestId), first.attempt), { ok: true })
})

t.test('Assertion-only signing (ADFS, Auth0, OneLogin) when the IdP record says so', async t => {
  const entityId = 'http://adfs.acme.test/adfs/services/trust'
  const assertionOnly = await addIdp({ key: 'adfs', entityId, certificates: [okta.certificate], signedPart: 'assertion' })
  const wholeResponse = await addIdp({ key: 'adfs-response', entityId, certificates: [okta.certificate], signedPart: 'response' })
  const peer = samlifyIdp({ entityId, keys: okta, signResponse: false })
  const sign = await spInitiated(assertionOnly, peer)
  t.match(await finish(assertionOnly, await peer.respond(assertionOnly.sp, person, sign.requestId), sign.attempt), { ok: true })
  const other = await spInitiated(wholeResponse, peer)
  t.match(await finish(wholeResponse, await peer.respond(wholeResponse.sp, person, other.requestId), other.attempt), { ok: false, reason: 'unsigned_response', message: /set this IdP's Signed part to "Only the Assertion"/ })
})

t.test('a Response signed only at its root is refused: the Assertion must carry its own signature', async t => {
  const entityId = 'https://idp.response-only.test'
  const idp = await addIdp({ key: 'root-only', entityId, certificates: [okta.certificate], signedPart: 'assertion' })
  const peer = samlifyIdp({ entityId, keys: okta, signResponse: true, signAssertion: false })
  const sign = await spInitiated(idp, peer)
  t.match(await finish(idp, await peer.respond(idp.sp, person, sign.requestId), sign.attempt), { ok: false, reason: 'unsigned_assertion', message: /Have the IdP sign the Assertion/ })
})

t.test('encrypted assertions: AES-256-GCM (samlify) and AES-128-CBC (SimpleSAMLphp 1.19)', async t => {
  for (const [key, encrypt, signResponse] of [['gcm', 'http://www.w3.org/2009/xmlenc11#aes256-gcm', true], ['cbc', 'http://www.w3.org/2001/04/xmlenc#aes128-cbc', false]] as const) {
    const entityId = `https://idp.${key}.test`
    const idp = await addIdp({ key, entityId, certificates: [okta.certificate], signedPart: signResponse ? 'response' : 'assertion', groupAttribute: 'groups' })
    const peer = samlifyIdp({ entityId, keys: okta, encrypt, signResponse })
    const sign = await spInitiated(idp, peer)
    const answer = await peer.respond(idp.sp, person, sign.requestId)
    t.match(Buffer.from(answer, 'base64').toString(), /EncryptedAssertion/, `${key}: the assertion is encrypted`)
    t.match(await finish(idp, answer, sign.attempt), { ok: true, identity: { email: 'dade@acme.test', groups: ['it', 'staff'] } }, key)
  }
  const entityId = 'https://idp.other-sp.test'
  const idp = await addIdp({ key: 'wrong-key', entityId, certificates: [okta.certificate] })
  const other = await addIdp({ key: 'other-sp', entityId, certificates: [okta.certificate] })
  const peer = samlifyIdp({ entityId, keys: okta, encrypt: 'http://www.w3.org/2009/xmlenc11#aes256-gcm' })
  const sign = await spInitiated(idp, peer)
  const forAnotherKey = await peer.respond({ ...idp.sp, certificate: other.spCertificate }, person, sign.requestId)
  t.match(await finish(idp, forAnotherKey, sign.attempt), { ok: false, reason: 'cannot_decrypt' }, 'encrypted for another SP key')
  for (const [encrypt, keyEncryption, weak] of [
    ['http://www.w3.org/2001/04/xmlenc#tripledes-cbc', undefined, /tripledes-cbc/],
    ['http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2001/04/xmlenc#rsa-1_5', /rsa-1_5/]
  ] as const) {
    const weakPeer = samlifyIdp({ entityId, keys: okta, encrypt, keyEncryption })
    const attempt = await spInitiated(idp, weakPeer)
    t.match(await finish(idp, await weakPeer.respond(idp.sp, person, attempt.requestId), attempt.attempt), { ok: false, reason: 'weak_encryption', message: weak })
  }
})

t.test('groups: several values are a list, one value a list of one; names and email from attributes', async t => {
  const entityId = 'https://idp.groups.test'
  const idp = await addIdp({ key: 'groups', entityId, certificates: [okta.certificate], emailAttribute: 'mail', firstNameAttribute: 'givenName', groupAttribute: 'memberOf' })
  const peer = samlifyIdp({ entityId, keys: okta })
  const one = await spInitiated(idp, peer)
  const single = { nameId: 'opaque-00u1', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', attributes: { mail: 'kate@acme.test', givenName: 'Kate', memberOf: 'Stocktake Admins' } }
  t.same(await finish(idp, await peer.respond(idp.sp, single, one.requestId), one.attempt), {
    ok: true,
    identity: { email: 'kate@acme.test', subject: `${entityId}|urn:oasis:names:tc:SAML:2.0:nameid-format:persistent|opaque-00u1`, firstName: 'Kate', lastName: undefined, groups: ['Stocktake Admins'] },
    policy: { createPeople: false, roleMappings: [], defaultRole: 'employee' }
  })
  const two = await spInitiated(idp, peer)
  const noMail = { nameId: 'kate@acme.test', attributes: { givenName: 'Kate' } }
  t.match(await finish(idp, await peer.respond(idp.sp, noMail, two.requestId), two.attempt), { ok: false, reason: 'no_email', message: /"mail" attribute/ }, 'the email attribute is required when named')
  const nameIdOnly = await addIdp({ key: 'nameid', entityId, certificates: [okta.certificate] })
  const three = await spInitiated(nameIdOnly, peer)
  t.match(await finish(nameIdOnly, await peer.respond(nameIdOnly.sp, single, three.requestId), three.attempt), { ok: false, reason: 'no_email', message: /NameID \("opaque-00u1" is not one\)/ })
})

t.test('a transient NameID: the email stands in as the stable subject', async t => {
  const entityId = 'https://idp.transient.test'
  const idp = await addIdp({ key: 'transient', entityId, certificates: [okta.certificate], emailAttribute: 'mail' })
  const peer = samlifyIdp({ entityId, keys: okta })
  const sign = await spInitiated(idp, peer)
  const answer = await peer.respond(idp.sp, { nameId: '_9f8e7d', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', attributes: { mail: 'Kate@Acme.test' } }, sign.requestId)
  t.match(await finish(idp, answer, sign.attempt), { ok: true, identity: { email: 'Kate@Acme.test', subject: `${entityId}|email|kate@acme.test` } })
})

t.test('a replayed Response is refused, on any node (the seen assertion is in the database)', async t => {
  const entityId = 'https://idp.replay.test'
  const idp = await addIdp({ key: 'replay', entityId, certificates: [okta.certificate], allowIdpInitiated: true })
  const peer = samlifyIdp({ entityId, keys: okta })
  const answer = await peer.respond(idp.sp, person)
  t.match(await finish(idp, answer), { ok: true })
  t.match(await finish(idp, answer), { ok: false, reason: 'replayed', message: 'This sign-in was already used. Sign in again.' })
  await tools.db('saml_seen_assertions').insert({ workspace_id: acme.id, idp_id: idp.id, assertion_id: '_long-gone', expires_at: new Date(Date.now() - 60_000) })
  t.match(await finish(idp, await peer.respond(idp.sp, person)), { ok: true })
  t.notOk(await tools.db('saml_seen_assertions').where({ workspace_id: acme.id, assertion_id: '_long-gone' }).first(), 'expired entries are pruned')
})

t.test('certificate rollover: a Response signed with either of the two certificates is accepted', async t => {
  const next = await keyPair('okta-next.test')
  const entityId = 'https://idp.rollover.test'
  const idp = await addIdp({ key: 'rollover', entityId, certificates: [okta.certificate, next.certificate] })
  for (const keys of [okta, next]) {
    const peer = samlifyIdp({ entityId, keys })
    const sign = await spInitiated(idp, peer)
    t.match(await finish(idp, await peer.respond(idp.sp, person, sign.requestId), sign.attempt), { ok: true })
  }
})

t.test('SHA-1 signatures are refused', async t => {
  const entityId = 'https://idp.sha1.test'
  const idp = await addIdp({ key: 'sha1', entityId, certificates: [okta.certificate] })
  const peer = samlifyIdp({ entityId, keys: okta, signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' })
  const sign = await spInitiated(idp, peer)
  t.match(await finish(idp, await peer.respond(idp.sp, person, sign.requestId), sign.attempt), { ok: false, reason: 'weak_signature', message: /rsa-sha1; Stocktake requires SHA-256/ })
})

t.test('an unknown or turned-off IdP', async t => {
  const entityId = 'https://idp.off.test'
  const idp = await addIdp({ key: 'off', entityId, certificates: [okta.certificate], enabled: false, allowIdpInitiated: true })
  const peer = samlifyIdp({ entityId, keys: okta })
  const answer = await peer.respond(idp.sp, person)
  t.match(await finish(idp, answer), { ok: false, reason: 'disabled_idp' })
  t.match(await finish({ ...idp, key: 'nobody' }, answer), { ok: false, reason: 'unknown_idp' })
  await t.rejects(start(idp), /turned off/)
})

t.test('methods: the enabled IdPs of the workspace, by display name, each its key and name', async t => {
  const { ctx } = setup
  const methods = await samlSignIn.methods(ctx, tools)
  t.ok(methods.length > 0)
  t.notOk(methods.some(m => m.key === 'off'), 'a turned-off IdP has no button')
  t.ok(methods.some(m => m.key === 'okta' && m.label === 'Sign in with OKTA'), 'worded like the other sign-in buttons')
  t.same(methods.map(m => m.label), [...methods.map(m => m.label)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())), 'by display name')
})
