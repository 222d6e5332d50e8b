import t from 'tap'
import { samlSignInSetup } from './helpers/saml/sign-in-setup.ts'
import { keyPair } from './helpers/saml/keys.ts'
import { base64, boxyResponseXml, signBoth, withoutSignatures, type BoxyResponseOptions } from './helpers/saml/boxyhq-idp.ts'

// Documents a sign-in must refuse, made by @boxyhq/saml20 as the IdP: each is a correctly signed
// SP-initiated answer but for the one thing its check is about.

const { addIdp, start, finish } = await samlSignInSetup(t)
const idpKeys = await keyPair('idp.acme.test')
const entityId = 'https://idp.acme.test/saml'
const idp = await addIdp({ key: 'acme-idp', entityId, certificates: [idpKeys.certificate] })

/** Starts a sign-in and has the IdP answer it; `change` edits the XML before it is signed again with the IdP key. */
async function answer (options: Partial<BoxyResponseOptions> = {}) {
  const redirect = await start(idp, 'state')
  const requestId = redirect.secrets!.requestId
  const xml = await boxyResponseXml({ issuer: entityId, audience: idp.sp.entityId, acsUrl: idp.sp.acsUrl, requestId, email: 'dade@acme.test', keys: idpKeys, ...options })
  return { xml, attempt: { state: 'state', secrets: redirect.secrets! } }
}
const finishWith = async (xml: string, attempt: Parameters<typeof finish>[2]) => await finish(idp, base64(xml), attempt)

t.test('the untouched document is accepted (the baseline every case below differs from)', async t => {
  const { xml, attempt } = await answer()
  t.match(await finishWith(xml, attempt), { ok: true, identity: { email: 'dade@acme.test' } })
  const changed = await answer({ change: xml => xml })
  t.match(await finishWith(changed.xml, changed.attempt), { ok: true }, 'signed again with the IdP key, unchanged: accepted')
})

t.test('wrong audience: an assertion for another service provider', async t => {
  const { xml, attempt } = await answer({ audience: 'https://other-sp.example/saml' })
  t.match(await finishWith(xml, attempt), { ok: false, reason: 'wrong_audience' })
})

t.test('wrong destination: the Response was sent to another ACS URL', async t => {
  const { xml, attempt } = await answer({ change: xml => xml.replace(`Destination="${idp.sp.acsUrl}"`, 'Destination="https://other-sp.example/acs"') })
  t.match(await finishWith(xml, attempt), { ok: false, reason: 'wrong_destination', message: /sent to https:\/\/other-sp\.example\/acs/ })
})

t.test('wrong recipient: the bearer confirmation names another ACS URL', async t => {
  const { xml, attempt } = await answer({ change: xml => xml.replace(`Recipient="${idp.sp.acsUrl}"`, 'Recipient="https://other-sp.example/acs"') })
  t.match(await finishWith(xml, attempt), { ok: false, reason: 'wrong_destination', message: /sent for https:\/\/other-sp\.example\/acs/ })
})

t.test('wrong issuer signed with a trusted certificate (one certificate shared by several tenants)', async t => {
  const assertionOnly = await answer({ change: xml => xml.replace(/(<saml:Assertion[^>]*>\s*<saml:Issuer[^>]*>)[^<]*/, '$1https://idp.acme.test/another-tenant') })
  t.match(await finishWith(assertionOnly.xml, assertionOnly.attempt), { ok: false, reason: 'wrong_issuer', message: /another-tenant/ }, 'the Assertion\'s Issuer')
  const responseOnly = await answer({ change: xml => xml.replace(/(<samlp:Response[^>]*>\s*<saml:Issuer[^>]*>)[^<]*/, '$1https://idp.acme.test/another-tenant') })
  t.match(await finishWith(responseOnly.xml, responseOnly.attempt), { ok: false, reason: 'wrong_issuer', message: /another-tenant/ }, 'the Response\'s Issuer')
})

t.test('a tampered document: the NameID changed after signing', async t => {
  const { xml, attempt } = await answer()
  const tampered = xml.replace(/>dade@acme\.test</g, '>boss@acme.test<')
  t.not(tampered, xml)
  t.match(await finishWith(tampered, attempt), { ok: false, reason: 'bad_signature' })
})

t.test('a document signed again with a key the IdP record does not hold', async t => {
  const { xml, attempt } = await answer()
  const attacker = await keyPair('attacker.test')
  const resigned = signBoth(withoutSignatures(xml).replace(/>dade@acme\.test</g, '>boss@acme.test<'), attacker)
  t.match(await finishWith(resigned, attempt), { ok: false, reason: 'bad_signature' })
})

t.test('an expired assertion, and one not valid yet', async t => {
  const past = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  const expired = await answer({ change: xml => xml.replace(/NotOnOrAfter="[^"]*"/g, `NotOnOrAfter="${past(10)}"`).replace(/NotBefore="[^"]*"/g, `NotBefore="${past(30)}"`) })
  t.match(await finishWith(expired.xml, expired.attempt), { ok: false, reason: 'expired' })
  const staleConfirmation = await answer({ change: xml => xml.replace(/(<saml:SubjectConfirmationData[^>]*NotOnOrAfter=")[^"]*/, `$1${past(10)}`) })
  t.match(await finishWith(staleConfirmation.xml, staleConfirmation.attempt), { ok: false, reason: 'expired' }, 'the bearer confirmation expired (node-saml does not look at it here)')
  const future = new Date(Date.now() + 30 * 60_000).toISOString()
  const early = await answer({ change: xml => xml.replace(/NotBefore="[^"]*"/g, `NotBefore="${future}"`) })
  t.match(await finishWith(early.xml, early.attempt), { ok: false, reason: 'not_yet_valid' })
  const skewed = new Date(Date.now() + 60_000).toISOString()
  const slightlyAhead = await answer({ change: xml => xml.replace(/NotBefore="[^"]*"/g, `NotBefore="${skewed}"`) })
  t.match(await finishWith(slightlyAhead.xml, slightlyAhead.attempt), { ok: true }, 'an IdP clock a minute ahead is tolerated')
})

t.test('signature wrapping: an unsigned assertion beside, or in place of, the signed one', async t => {
  const { xml, attempt } = await answer()
  const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0]
  const evil = withoutSignatures(signedAssertion).replace(/ID="[^"]*"/, 'ID="_evil"').replace(/>dade@acme\.test</g, '>boss@acme.test<')
  t.match(await finishWith(xml.replace('<saml:Assertion', `${evil}<saml:Assertion`), attempt), { ok: false, reason: 'bad_signature' }, 'inserted before the signed one (Response signed)')

  // Against an IdP that signs only the Assertion, with the Response's signature dropped, as an attacker would.
  const adfs = await addIdp({ key: 'adfs-wrap', entityId, certificates: [idpKeys.certificate], signedPart: 'assertion' })
  const redirect = await start(adfs, 'wrap')
  const wrapAttempt = { state: 'wrap', secrets: redirect.secrets! }
  const genuine = (await boxyResponseXml({ issuer: entityId, audience: adfs.sp.entityId, acsUrl: adfs.sp.acsUrl, requestId: redirect.secrets!.requestId, email: 'dade@acme.test', keys: idpKeys }))
  const unsignedResponse = genuine.replace(/(<samlp:Response[\s\S]*?<\/saml:Issuer>)(<Signature [\s\S]*?<\/Signature>)/, '$1')
  t.equal(unsignedResponse.match(/<Signature /g)?.length, 1, 'only the Assertion is signed now')
  t.match(await finish(adfs, base64(unsignedResponse), wrapAttempt), { ok: true }, 'the genuine assertion-signed Response is accepted')
  const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(unsignedResponse)![0]
  const signature = /<Signature [\s\S]*?<\/Signature>/.exec(assertion)![0]
  const forged = withoutSignatures(assertion).replace(/ID="[^"]*"/, 'ID="_evil"').replace(/>dade@acme\.test</g, '>boss@acme.test<')
  const beside = unsignedResponse.replace(assertion, `${forged}${assertion}`)
  t.match(await finish(adfs, base64(beside), wrapAttempt), { ok: false, reason: 'bad_signature' }, 'beside the signed one')
  const hidden = unsignedResponse.replace('<samlp:Status', `<samlp:Extensions>${assertion}</samlp:Extensions><samlp:Status`).replace(assertion + '</samlp:Response>', `${forged}</samlp:Response>`)
  t.match(await finish(adfs, base64(hidden), wrapAttempt), { ok: false, reason: 'unsigned_assertion' }, 'the signed one moved into Extensions, an unsigned one in its place')
  const borrowed = hidden.replace(forged, forged.replace(/(<saml:Assertion[^>]*>\s*<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)/, `$1${signature}`))
  t.match(await finish(adfs, base64(borrowed), wrapAttempt), { ok: false, reason: 'bad_signature' }, 'the same, with the genuine signature copied into the forged assertion')
})

t.test('InResponseTo of another request of the same IdP', async t => {
  const other = await start(idp, 'other')
  const { xml, attempt } = await answer({ requestId: other.secrets!.requestId })
  t.match(await finishWith(xml, attempt), { ok: false, reason: 'in_response_to_mismatch' })
})

t.test('the IdP\'s own refusal (unsigned, as IdPs send them) is reported with its status and message', async t => {
  const { attempt } = await answer()
  const refused = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">' +
    `<saml:Issuer>${entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></samlp:StatusCode>` +
    '<samlp:StatusMessage>AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.</samlp:StatusMessage></samlp:Status></samlp:Response>'
  t.same(await finishWith(refused, attempt), { ok: false, reason: 'provider_error', message: 'The identity provider refused the sign-in (Requester/RequestDenied: AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.).' })
})

t.test('what is not a SAML Response is malformed, never a crash', async t => {
  const { attempt } = await answer()
  t.match(await finish(idp, '', attempt), { ok: false, reason: 'malformed' })
  t.match(await finish(idp, 'not base64!', attempt), { ok: false, reason: 'malformed' })
  t.match(await finishWith('<x/>', attempt), { ok: false, reason: 'malformed' })
  t.match(await finishWith('<!DOCTYPE r [<!ENTITY a "aaaa">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>', attempt), { ok: false, reason: 'malformed' })
  t.match(await finishWith('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"', attempt), { ok: false, reason: 'malformed' })
})
