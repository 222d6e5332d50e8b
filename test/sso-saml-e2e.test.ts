// SAML sign-in end to end through the core's real routes (core/auth/sso/): a super admin adds two
// IdPs to one workspace on the SAML page (samlify's metadata pasted, its role mappings, JIT) and
// switches the integration on; staff then press an IdP's button on the sign-in page, samlify (a
// real, separately written IdP in this process) reads the signed AuthnRequest and answers it,
// the browser posts the Response cross-site to the callback, the continuation signs them in and
// lands them on the page they asked for. IdP-initiated sign-in, JIT off, a wrong audience and a
// replayed Response are refused with a page saying why and an `auth.sign_in` entry with the reason.
import t from 'tap'
import { workspaceUrl } from '../core/config.ts'
import { buildTestApp } from './helpers/app.ts'
import { decodeHtml } from './helpers/html-text.ts'
import { members } from './helpers/members.ts'
import { keyPair } from './helpers/saml/keys.ts'
import { samlifyIdp, type Person, type ServiceProviderAddresses } from './helpers/saml/samlify-idp.ts'
import { browser, type TestSession } from './helpers/session.ts'
import { crossSitePost, lastSignIn } from './helpers/sso.ts'

const { app, config, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const ORIGIN = workspaceUrl(config, 'acme')
const HOST = new URL(ORIGIN).host
const PAGE = '/settings/integrations/saml'
const { add, as } = members(app, acme)
const owner = await as(await add('super-admin', 'owner@acme.test'))

const okta = samlifyIdp({ entityId: 'http://www.okta.com/exkE2E', keys: await keyPair('okta.e2e'), ssoUrl: 'https://acme.okta.test/app/acme_stocktake/exkE2E/sso/saml' })
// JumpCloud-like, but signing only the Assertion (as ADFS, Auth0 and OneLogin do).
const jumpcloud = samlifyIdp({ entityId: 'JumpCloud-acme', keys: await keyPair('jumpcloud.e2e'), ssoUrl: 'https://sso.jumpcloud.test/saml2/stocktake', signResponse: false })

/** What the SAML page tells the admin to give an IdP: its SP entity ID, ACS URL and certificate. */
async function spDetails (key: string): Promise<ServiceProviderAddresses> {
  const page = (await owner.get(PAGE)).body
  const id = new RegExp(`<tr id="idp-row-${key}">\\s*<th scope="row"><a href="#idp-([0-9a-f-]+)-heading">`).exec(page)?.[1]
  const value = (field: string) => decodeHtml(new RegExp(`<input id="idp-${id}-sp-${field}" value="([^"]+)"`).exec(page)?.[1] ?? '')
  const certificate = decodeHtml(new RegExp(`<textarea id="idp-${id}-sp-certificate"[^>]*>([^<]+)</textarea>`).exec(page)?.[1] ?? '')
  return { entityId: value('entity-id'), acsUrl: value('acs-url'), certificate }
}

const addForm = (fields: Record<string, string>) => ({ form_kind: 'add', enabled: 'on', signed_part: 'response', default_role: 'employee', source: 'xml', email_attribute: 'email', first_name_attribute: 'firstName', last_name_attribute: 'lastName', group_attribute: 'groups', ...fields })
const added = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta', metadata_xml: okta.metadata(), create_people: 'on', allow_idp_initiated: 'on', mapping_group_1: 'stocktake-admins', mapping_role_1: 'admin', mapping_group_2: 'helpdesk', mapping_role_2: 'it-admin' }))
if (added.statusCode !== 303) throw new Error(`Okta not added: ${added.body.slice(0, 2000)}`)
const addedToo = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'JumpCloud', signed_part: 'assertion', metadata_xml: jumpcloud.metadata(), mapping_group_1: 'it', mapping_role_1: 'it-admin' }))
if (addedToo.statusCode !== 303) throw new Error(`JumpCloud not added: ${addedToo.body.slice(0, 2000)}`)
const oktaSp = await spDetails('okta')
const jumpcloudSp = await spDetails('jumpcloud')

const person = (email: string, groups: string[] = [], names: { firstName?: string, lastName?: string } = {}): Person =>
  ({ nameId: email, attributes: { email, groups, ...(names.firstName ? { firstName: names.firstName } : {}), ...(names.lastName ? { lastName: names.lastName } : {}) } })
const userByEmail = async (email: string) => await app.db('users').where({ workspace_id: acme.id, email }).first()

interface Run { button: string, start: string, callback: Awaited<ReturnType<TestSession['get']>>, final: Awaited<ReturnType<TestSession['get']>> }

/** Staff on the sign-in page asked for `next`: press the IdP's button, the IdP answers, the browser posts it back and follows on. */
async function signInWith (b: TestSession, label: string, idp: typeof okta, sp: ServiceProviderAddresses, who: Person, next = '/hardware'): Promise<Run> {
  const signInPage = await b.get(`/sign-in?next=${encodeURIComponent(next)}`)
  const button = decodeHtml(new RegExp(`<a class="button" href="([^"]+)">Sign in with ${label}</a>`).exec(signInPage.body)?.[1] ?? '')
  if (button === '') throw new Error(`no “${label}” button on the sign-in page`)
  const start = await b.get(button)
  if (start.statusCode !== 303) throw new Error(`start answered ${start.statusCode}: ${start.body.slice(0, 300)}`)
  const location = String(start.headers.location)
  const request = await idp.readRequest(sp, location)
  const samlResponse = await idp.respond(sp, who, request.id)
  const callback = await crossSitePost(app, b, new URL(request.acsUrl).pathname, { SAMLResponse: samlResponse, RelayState: request.relayState })
  const final = callback.statusCode === 303 ? await b.get(String(callback.headers.location)) : callback
  return { button, start: location, callback, final }
}

t.test('the integration switched on from its page: the sign-in page has one button per IdP', async t => {
  t.notMatch((await browser(app, HOST).get('/sign-in')).body, 'sso-methods', 'IdPs added, integration not yet enabled: no buttons')
  const saved = await owner.post(PAGE, { enabled: 'true' })
  t.ok(saved.statusCode < 400, `saved (${saved.statusCode})`)
  const page = await browser(app, HOST).get('/sign-in?next=%2Fhardware')
  t.match(page.body, '<a class="button" href="/sign-in/sso/saml/okta?next&#x3D;%2Fhardware">Sign in with Okta</a>', 'labelled with the display name, as the page promises')
  t.match(page.body, '<a class="button" href="/sign-in/sso/saml/jumpcloud?next&#x3D;%2Fhardware">Sign in with JumpCloud</a>')
  t.same([oktaSp.entityId, oktaSp.acsUrl], [`${ORIGIN}/sign-in/sso/saml/okta`, `${ORIGIN}/sign-in/sso/saml/okta/callback`], 'the page shows the workspace\'s addresses')
})

t.test('SP-initiated with Okta: the button, the signed request, the POST callback, the continuation; JIT creates the person with the mapped role and lands on the page asked for', async t => {
  const b = browser(app, HOST)
  const run = await signInWith(b, 'Okta', okta, oktaSp, person('alice@acme.test', ['staff', 'stocktake-admins'], { firstName: 'Alice', lastName: 'Andersen' }), '/hardware?status=in_stock')
  t.match(run.start, /^https:\/\/acme\.okta\.test\/app\/acme_stocktake\/exkE2E\/sso\/saml\?SAMLRequest=/, 'to Okta\'s SSO URL from its metadata')
  t.equal(run.callback.statusCode, 303)
  t.match(String(run.callback.headers.location), /^\/sign-in\/sso\/saml\/okta\/continue\?token=/)
  t.equal(run.final.statusCode, 303)
  t.equal(run.final.headers.location, '/hardware?status=in_stock')
  t.equal((await b.get('/hardware')).statusCode, 200, 'signed in')
  const alice = await userByEmail('alice@acme.test')
  t.match(alice, { role: 'admin', first_name: 'Alice', last_name: 'Andersen', source: 'sso', status: 'active' })
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: alice.id, details: { method: 'sso', provider: 'saml', idp: 'okta', created: true } })
})

t.test('SP-initiated with JumpCloud (Assertion-only signature) in the same workspace: a person of the register, their role following the IdP\'s groups', async t => {
  const [bob] = await app.db('users').insert({ workspace_id: acme.id, email: 'bob@acme.test', role: 'employee' }).returning(['id'])
  const run = await signInWith(browser(app, HOST), 'JumpCloud', jumpcloud, jumpcloudSp, person('bob@acme.test', ['it']), '/people')
  t.match(run.start, /^https:\/\/sso\.jumpcloud\.test\/saml2\/stocktake\?SAMLRequest=/)
  t.equal(run.final.headers.location, '/people')
  t.equal((await userByEmail('bob@acme.test')).role, 'it-admin', 'JumpCloud maps it → IT admin')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: bob.id, details: { idp: 'jumpcloud', linked: true, role: { old: 'employee', new: 'it-admin' } } })

  const again = await signInWith(browser(app, HOST), 'JumpCloud', jumpcloud, jumpcloudSp, person('bob@acme.test', ['staff']))
  t.equal(again.final.headers.location, '/hardware')
  t.equal((await userByEmail('bob@acme.test')).role, 'employee', 'no mapped group any more: the default role')
})

t.test('JIT off (JumpCloud): someone not in the register is refused, told why, audited not_in_register, not created', async t => {
  const run = await signInWith(browser(app, HOST), 'JumpCloud', jumpcloud, jumpcloudSp, person('newcomer@acme.test', ['it']))
  t.equal(run.final.statusCode, 403)
  t.match(run.final.body, 'newcomer@acme.test is not in this workspace&#x27;s register')
  t.match(await lastSignIn(app, acme.id), { outcome: 'denied', details: { provider: 'saml', idp: 'jumpcloud', reason: 'not_in_register' } })
  t.equal(await userByEmail('newcomer@acme.test'), undefined)
})

t.test('IdP-initiated: Okta allows it (RelayState names the page), JumpCloud does not; a replayed Response is refused', async t => {
  const b = browser(app, HOST)
  const unsolicited = await okta.respond(oktaSp, person('alice@acme.test', ['stocktake-admins']))
  const callback = await crossSitePost(app, b, new URL(oktaSp.acsUrl).pathname, { SAMLResponse: unsolicited, RelayState: '/people' })
  t.equal(callback.statusCode, 303)
  const final = await b.get(String(callback.headers.location))
  t.equal(final.statusCode, 303)
  t.equal(final.headers.location, '/people')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { idp: 'okta' } })

  const replay = await crossSitePost(app, browser(app, HOST), new URL(oktaSp.acsUrl).pathname, { SAMLResponse: unsolicited, RelayState: '/people' })
  t.equal(replay.statusCode, 403)
  t.match(replay.body, 'This sign-in was already used.')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { idp: 'okta', reason: 'replayed' } })

  const tile = await crossSitePost(app, browser(app, HOST), new URL(jumpcloudSp.acsUrl).pathname, { SAMLResponse: await jumpcloud.respond(jumpcloudSp, person('bob@acme.test')), RelayState: '' })
  t.equal(tile.statusCode, 403)
  t.match(tile.body, 'Signing in from JumpCloud&#x27;s app list is not allowed')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { idp: 'jumpcloud', reason: 'unsolicited' } })
})

t.test('a Response for another audience (JumpCloud\'s SP entity ID sent to Okta\'s ACS) is refused with the reason', async t => {
  const b = browser(app, HOST)
  const signInPage = await b.get('/sign-in')
  const start = await b.get(decodeHtml(/<a class="button" href="([^"]+)">Sign in with Okta<\/a>/.exec(signInPage.body)![1]))
  const request = await okta.readRequest(oktaSp, String(start.headers.location))
  const answer = await okta.respond({ ...oktaSp, entityId: jumpcloudSp.entityId }, person('alice@acme.test'), request.id)
  const callback = await crossSitePost(app, b, new URL(oktaSp.acsUrl).pathname, { SAMLResponse: answer, RelayState: request.relayState })
  t.equal(callback.statusCode, 403)
  t.match(callback.body, 'Not signed in')
  t.match(callback.body, 'meant for another service')
  t.match(await lastSignIn(app, acme.id), { outcome: 'failure', actor_label: 'anonymous', details: { provider: 'saml', idp: 'okta', reason: 'wrong_audience' } })
  t.notOk(callback.headers['set-cookie']?.toString().includes('stocktake_session'), 'no session')
})
