// The SimpleSAMLphp test IdP (test/helpers/simplesamlphp.ts) against a service provider made
// directly with @node-saml/node-saml: an SP-initiated login through SimpleSAMLphp's real login
// form ends in a Response node-saml accepts — Response and Assertion signed, Assertion only,
// encrypted — and one it refuses when it trusts another certificate. Proves the peer before
// Stocktake's SAML plugin uses it.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SAML, type SamlConfig } from '@node-saml/node-saml'
import t from 'tap'
import { request } from 'undici'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { certificateBody, selfSignedCertificate } from './helpers/certificate.ts'
import { DEFAULT_USERS, noSimpleSamlPhpReason, phpPath, startSimpleSamlPhp, type SimpleSamlIdp } from './helpers/simplesamlphp.ts'

const [alice, bob] = DEFAULT_USERS
const SP_BASE = 'http://sp.localhost:4000'
const sp = (name: string) => ({ entityId: `${SP_BASE}/${name}`, acsUrl: `${SP_BASE}/${name}/acs` })

function serviceProvider (idp: SimpleSamlIdp, name: string, options: Partial<SamlConfig> = {}) {
  const { entityId, acsUrl } = sp(name)
  return new SAML({
    entryPoint: idp.ssoUrl,
    issuer: entityId,
    callbackUrl: acsUrl,
    audience: entityId,
    idpCert: idp.certificate,
    signatureAlgorithm: 'sha256',
    acceptedClockSkewMs: 60_000,
    ...options
  })
}

const decoded = (samlResponse: string) => Buffer.from(samlResponse, 'base64').toString('utf8')

t.test('SimpleSAMLphp as the IdP of a node-saml service provider', { skip: phpPath === null ? noSimpleSamlPhpReason : false }, async t => {
  const spKeys = await selfSignedCertificate('node-saml test SP')
  let started = Date.now()
  const idp = await startSimpleSamlPhp({
    serviceProviders: [
      { ...sp('both-signed'), signResponse: true, signAssertion: true },
      { ...sp('assertion-only'), signResponse: false, signAssertion: true },
      { ...sp('encrypted'), certificate: spKeys.certificate, signResponse: true, signAssertion: true, encryptAssertion: true }
    ]
  })
  t.teardown(idp.close)
  t.comment(`SimpleSAMLphp started in ${Date.now() - started} ms`)
  t.match(idp.certificate, /^-----BEGIN CERTIFICATE-----/)
  t.match(idp.ssoUrl, /^http:\/\/127\.0\.0\.1:\d+\/saml2\/idp\/SSOService\.php$/)

  await t.test('Response and Assertion signed: the profile carries email, names and every group', async t => {
    const saml = serviceProvider(idp, 'both-signed')
    const authorize = await saml.getAuthorizeUrlAsync('/hardware?page=2', undefined, {})
    t.ok(authorize.startsWith(`${idp.ssoUrl}?SAMLRequest=`), 'an HTTP-Redirect AuthnRequest to the IdP')
    started = Date.now()
    const posted = await idp.login(authorize, alice.username, alice.password)
    t.comment(`one login through the form took ${Date.now() - started} ms`)
    t.equal(posted.action, sp('both-signed').acsUrl, 'posted to the ACS URL the SP asked for')
    t.equal(posted.RelayState, '/hardware?page=2', 'RelayState comes back unchanged')
    const xml = decoded(posted.SAMLResponse)
    t.match(xml, /<samlp:Response[^>]*>\s*<saml:Issuer>[^<]*<\/saml:Issuer>\s*<ds:Signature/, 'the Response itself is signed')
    t.match(xml, /<saml:Assertion[\s\S]*<ds:Signature[\s\S]*<\/saml:Assertion>/, 'the Assertion is signed')
    t.match(xml, /rsa-sha256/)
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse, RelayState: posted.RelayState! })
    t.ok(profile)
    t.equal(profile!.issuer, idp.entityId)
    t.equal(profile!.nameID, alice.email)
    t.equal(profile!.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
    t.equal(profile!.email, alice.email)
    t.equal(profile!.givenName, alice.givenName)
    t.equal(profile!.sn, alice.sn)
    t.same(profile!.groups, ['stocktake-admins', 'staff'], 'a multi-valued attribute comes back as an array')
  })

  await t.test('only the Assertion signed: accepted with wantAuthnResponseSigned false, refused with node-saml\'s default', async t => {
    const saml = serviceProvider(idp, 'assertion-only', { wantAuthnResponseSigned: false })
    const posted = await idp.login(await saml.getAuthorizeUrlAsync('', undefined, {}), bob.username, bob.password)
    const xml = decoded(posted.SAMLResponse)
    t.notMatch(xml, /<samlp:Response[^>]*>\s*<saml:Issuer>[^<]*<\/saml:Issuer>\s*<ds:Signature/, 'the Response is not signed')
    t.match(xml, /<saml:Assertion[\s\S]*<ds:Signature/, 'the Assertion is')
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse })
    t.equal(profile!.email, bob.email)
    t.equal(profile!.groups, 'staff', 'a single value comes back as a string')
    await t.rejects(serviceProvider(idp, 'assertion-only').validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse }),
      /Invalid document signature/, 'node-saml wants the Response signed unless told otherwise')
  })

  await t.test('encrypted Assertion: decrypted with the SP\'s key, refused without it', async t => {
    const saml = serviceProvider(idp, 'encrypted', { decryptionPvk: spKeys.privateKey })
    const posted = await idp.login(await saml.getAuthorizeUrlAsync('', undefined, {}), alice.username, alice.password)
    const xml = decoded(posted.SAMLResponse)
    t.match(xml, /<saml:EncryptedAssertion>/)
    t.match(xml, /xmlenc#aes128-cbc/, 'SimpleSAMLphp 1.19 encrypts with AES-128-CBC')
    t.notMatch(xml, /<saml:Assertion\b/, 'no assertion in the clear')
    t.notMatch(xml, /alice@example\.com/, 'nor the email')
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse })
    t.equal(profile!.email, alice.email)
    t.same(profile!.groups, ['stocktake-admins', 'staff'])
    await t.rejects(serviceProvider(idp, 'encrypted').validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse }),
      /No decryption key/i, 'an SP without the key cannot read it')
  })

  await t.test('IdP-initiated: a Response with no InResponseTo, accepted by an SP that does not require one', async t => {
    const posted = await idp.login(idp.idpInitiatedUrl(sp('both-signed').entityId, '/people'), bob.username, bob.password)
    t.equal(posted.action, sp('both-signed').acsUrl)
    t.equal(posted.RelayState, '/people')
    t.notMatch(decoded(posted.SAMLResponse), /InResponseTo=/, 'answers no request')
    const { profile } = await serviceProvider(idp, 'both-signed').validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse })
    t.equal(profile!.email, bob.email)
  })

  await t.test('the metadata an admin would upload: entity ID, SSO URL and signing certificate', async t => {
    const res = await request(idp.metadataUrl)
    t.equal(res.statusCode, 200)
    const xml = await res.body.text()
    t.match(xml, `entityID="${idp.entityId}"`)
    t.match(xml, `Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${idp.ssoUrl}"`)
    t.match(xml, certificateBody(idp.certificate))
  })

  await t.test('an SP that trusts another certificate refuses the Response', async t => {
    const other = await selfSignedCertificate('Another IdP')
    const posted = await idp.login(await serviceProvider(idp, 'both-signed').getAuthorizeUrlAsync('', undefined, {}), alice.username, alice.password)
    await t.rejects(serviceProvider(idp, 'both-signed', { idpCert: other.certificate }).validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse }),
      /Invalid (document )?signature/)
    await t.rejects(serviceProvider(idp, 'assertion-only', { idpCert: other.certificate, wantAuthnResponseSigned: false })
      .validatePostResponseAsync({ SAMLResponse: (await idp.login(await serviceProvider(idp, 'assertion-only').getAuthorizeUrlAsync('', undefined, {}), bob.username, bob.password)).SAMLResponse }),
    /Invalid signature/)
  })

  await t.test('the IdP refuses a wrong password and an SP it does not trust, and ignores an ACS URL it does not know', async t => {
    const saml = serviceProvider(idp, 'both-signed')
    await t.rejects(idp.login(await saml.getAuthorizeUrlAsync('', undefined, {}), alice.username, 'not-her-password'), /refused the password of alice/)
    const elsewhere = serviceProvider(idp, 'both-signed', { callbackUrl: `${SP_BASE}/somewhere-else/acs` })
    const redirected = await idp.login(await elsewhere.getAuthorizeUrlAsync('', undefined, {}), alice.username, alice.password)
    t.equal(redirected.action, sp('both-signed').acsUrl, 'an ACS URL not in the SP\'s metadata is not used: SimpleSAMLphp posts to the registered one')
    t.match(decoded(redirected.SAMLResponse), `Destination="${sp('both-signed').acsUrl}"`)
    const stranger = new SAML({ entryPoint: idp.ssoUrl, issuer: `${SP_BASE}/stranger`, callbackUrl: `${SP_BASE}/stranger/acs`, idpCert: idp.certificate })
    await t.rejects(idp.login(await stranger.getAuthorizeUrlAsync('', undefined, {}), alice.username, alice.password), /SimpleSAMLphp refused the sign-in \(\d+\): Metadata not found/)
  })

  await t.test('an SP trusted after the start: the next login reads it', async t => {
    const { certificate } = await selfSignedCertificate('late SP')
    idp.trust({ ...sp('late'), certificate, signResponse: true, signAssertion: false })
    const saml = serviceProvider(idp, 'late', { wantAssertionsSigned: false })
    const posted = await idp.login(await saml.getAuthorizeUrlAsync('', undefined, {}), bob.username, bob.password)
    t.notMatch(decoded(posted.SAMLResponse), /<saml:Assertion[\s\S]*<ds:Signature[\s\S]*<\/saml:Assertion>/, 'the Assertion is not signed')
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse })
    t.equal(profile!.email, bob.email)
  })
})

t.test('in Chromium: SP start → SimpleSAMLphp\'s login form → the SP\'s ACS with the profile', {
  skip: phpPath === null ? noSimpleSamlPhpReason : chromiumPath === null ? noBrowserReason : false
}, async t => {
  // A node-saml SP on its own HTTP server: /start redirects to the IdP, /acs validates the POST.
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  const base = `http://sp.localhost:${(server.address() as AddressInfo).port}`
  const idp = await startSimpleSamlPhp({ serviceProviders: [{ entityId: `${base}/sp`, acsUrl: `${base}/acs` }] })
  t.teardown(idp.close)
  const saml = new SAML({ entryPoint: idp.ssoUrl, issuer: `${base}/sp`, callbackUrl: `${base}/acs`, audience: `${base}/sp`, idpCert: idp.certificate, signatureAlgorithm: 'sha256' })
  server.on('request', (req, res) => {
    if (req.url === '/start') {
      saml.getAuthorizeUrlAsync('/landing', undefined, {}).then(url => res.writeHead(302, { location: url }).end(), () => res.writeHead(500).end())
      return
    }
    let body = ''
    req.on('data', chunk => { body += chunk })
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body))
      saml.validatePostResponseAsync(form).then(
        ({ profile }) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>${String(profile?.email)}</h1><p id="relay">${form.RelayState}</p><p id="groups">${[profile?.groups].flat().join(',')}</p>`),
        (error: Error) => res.writeHead(403, { 'content-type': 'text/html' }).end(`<h1>refused: ${error.message}</h1>`))
    })
  })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  const started = Date.now()
  await page.goto(`${base}/start`)
  await idp.loginInBrowser(page, alice.username, alice.password)
  await page.waitForURL(`${base}/acs`)
  t.comment(`one login in Chromium took ${Date.now() - started} ms`)
  t.equal(await page.locator('h1').innerText(), alice.email)
  t.equal(await page.locator('#relay').innerText(), '/landing')
  t.equal(await page.locator('#groups').innerText(), 'stocktake-admins,staff')
})
