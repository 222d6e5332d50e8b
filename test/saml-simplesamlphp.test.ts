import t from 'tap'
import { DEFAULT_USERS, noSimpleSamlPhpReason, phpPath, startSimpleSamlPhp } from './helpers/simplesamlphp.ts'
import { samlSignInSetup } from './helpers/saml/sign-in-setup.ts'

// The SAML plugin's start and finish against Debian's SimpleSAMLphp 1.19, a separately written IdP:
// its real login form, its Responses (both signed; Assertion only and encrypted with AES-128-CBC;
// IdP-initiated). The core's routes and Chromium are other tests'.

const [alice, bob] = DEFAULT_USERS

t.test('SimpleSAMLphp as the IdP of the plugin', { skip: phpPath === null ? noSimpleSamlPhpReason : false }, async t => {
  const { addIdp, start, finish } = await samlSignInSetup(t)
  const simple = await startSimpleSamlPhp()
  t.teardown(simple.close)
  const record = { entityId: simple.entityId, ssoUrl: simple.ssoUrl, certificates: [simple.certificate], emailAttribute: 'email', firstNameAttribute: 'givenName', lastNameAttribute: 'sn', groupAttribute: 'groups' }

  await t.test('Response and Assertion signed, SP-initiated: the identity with every group', async t => {
    const idp = await addIdp({ key: 'simple', ...record })
    simple.trust({ entityId: idp.sp.entityId, acsUrl: idp.sp.acsUrl, certificate: idp.spCertificate, signResponse: true, signAssertion: true })
    const redirect = await start(idp, 'state-simple')
    const posted = await simple.login(redirect.url, alice.username, alice.password)
    t.same({ action: posted.action, relayState: posted.RelayState }, { action: idp.sp.acsUrl, relayState: 'state-simple' })
    t.match(await finish(idp, posted.SAMLResponse, { state: 'state-simple', secrets: redirect.secrets! }), {
      ok: true,
      identity: { email: alice.email, firstName: alice.givenName, lastName: alice.sn, groups: ['stocktake-admins', 'staff'] }
    })
    t.match(await finish(idp, posted.SAMLResponse, { state: 'state-simple', secrets: redirect.secrets! }), { ok: false, reason: 'replayed' })
  })

  await t.test('Assertion only, encrypted (AES-128-CBC): accepted when the record says "Only the Assertion"', async t => {
    const idp = await addIdp({ key: 'simple-enc', ...record, signedPart: 'assertion' })
    simple.trust({ entityId: idp.sp.entityId, acsUrl: idp.sp.acsUrl, certificate: idp.spCertificate, signResponse: false, signAssertion: true, encryptAssertion: true })
    const redirect = await start(idp, 'state-enc')
    const posted = await simple.login(redirect.url, bob.username, bob.password)
    const xml = Buffer.from(posted.SAMLResponse, 'base64').toString()
    t.match(xml, /xmlenc#aes128-cbc/, 'SimpleSAMLphp encrypts with AES-128-CBC')
    t.match(await finish(idp, posted.SAMLResponse, { state: 'state-enc', secrets: redirect.secrets! }), { ok: true, identity: { email: bob.email, groups: ['staff'] } }, 'one group: a list of one')
  })

  await t.test('IdP-initiated (the app tile): accepted only when the record allows it', async t => {
    const allowed = await addIdp({ key: 'simple-tile', ...record, allowIdpInitiated: true })
    const refused = await addIdp({ key: 'simple-no-tile', ...record })
    for (const idp of [allowed, refused]) simple.trust({ entityId: idp.sp.entityId, acsUrl: idp.sp.acsUrl, certificate: idp.spCertificate })
    const tile = await simple.login(simple.idpInitiatedUrl(allowed.sp.entityId), alice.username, alice.password)
    t.match(await finish(allowed, tile.SAMLResponse), { ok: true, identity: { email: alice.email } })
    const other = await simple.login(simple.idpInitiatedUrl(refused.sp.entityId), alice.username, alice.password)
    t.match(await finish(refused, other.SAMLResponse), { ok: false, reason: 'unsolicited' })
  })
})
