// The SAML plugin's page (/settings/integrations/saml) as admins without JavaScript use it: add an
// IdP from pasted metadata (Okta's and ADFS's), from a metadata URL (fetched through ctx.http from
// a loopback IdP), or by hand; every refusal names its field and stores nothing; edit (roll a
// certificate, map groups), delete; the card's "N IdPs"; another workspace sees none of it.
import t from 'tap'
import { workspaceUrl } from '../core/config.ts'
import { routeToFake } from '../core/sdk.ts'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { startFake } from '../plugins/saml/fake.ts'
import { adfsMetadata, base64Of, oktaMetadata, testCertificate } from './helpers/saml-metadata.ts'

const DAY = 24 * 3600 * 1000
const [oktaCert, adfsOld, adfsNew, adfsEncryption, handCert] = await Promise.all(['okta', 'adfs-old', 'adfs-new', 'adfs-enc', 'hand'].map(async name => await testCertificate(name)))

// The plugin's fake: Okta publishing an app's metadata, reached as https://idp.example.test through routeToFake.
const oktaIdp = await startFake({ app: 'exkURL', certificate: oktaCert })
t.teardown(oktaIdp.close)
const fetched = oktaIdp.requests

const { app, config, workspace } = await buildTestApp(t, {}, { httpDispatcher: routeToFake(oktaIdp.url) })
const acme = await workspace('acme')
const other = await workspace('other')
const { add, as } = members(app, acme)
const owner = await as(await add('super-admin', 'sam@acme.test'))
const admin = await as(await add('admin', 'ada@acme.test'))
const PAGE = '/settings/integrations/saml'
/** Where the SAML plugin's sign-in methods live on acme's address. */
const SSO = `${workspaceUrl(config, 'acme')}/sign-in/sso/saml`

const db = app.pluginDb('saml')
const idps = async () => await db('saml_idps').where({ workspace_id: acme.id }).orderBy('key')
const idpByKey = async (key: string) => await db('saml_idps').where({ workspace_id: acme.id, key }).first()
const badgeCount = async () => (await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'saml' }).first())?.badge_count ?? null

/** The add form's defaults with these fields. */
const addForm = (fields: Record<string, string>) => ({ form_kind: 'add', enabled: 'on', signed_part: 'response', default_role: 'employee', source: 'xml', ...fields })
/** An IdP's edit form as the page renders it, with these changes. */
async function editForm (key: string, changes: Record<string, string>): Promise<Record<string, string>> {
  const idp = await idpByKey(key)
  const form: Record<string, string> = {
    form_kind: 'edit',
    id: idp.id,
    version: String(idp.version),
    display_name: idp.display_name,
    entity_id: idp.entity_id,
    sso_url: idp.sso_url,
    signed_part: idp.signed_part,
    default_role: idp.default_role,
    email_attribute: idp.email_attribute ?? '',
    group_attribute: idp.group_attribute ?? ''
  }
  if (idp.enabled) form.enabled = 'on'
  if (idp.create_people) form.create_people = 'on'
  idp.role_mappings.forEach((m: { group: string, role: string }, i: number) => { form[`mapping_group_${i + 1}`] = m.group; form[`mapping_role_${i + 1}`] = m.role })
  return { ...form, ...changes }
}
/** The inline message of a field on a page refused (422). */
const fieldError = (body: string, id: string) => new RegExp(`<p class="field-error" id="${id}-error">([^<]*)</p>`).exec(body)?.[1]

t.test('an empty page: no IdPs yet, the add form with the addresses to create the application with', async t => {
  const page = await owner.get(PAGE)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h2 id="saml-idps-heading">Identity providers</h2>')
  t.match(page.body, 'No identity providers yet.')
  t.match(page.body, `<form method="post" action="${PAGE}/actions/add-idp"`)
  t.match(page.body, `<code>${SSO}/KEY</code>`)
  t.match(page.body, '<label for="new-metadata_xml">Metadata XML</label>')
  t.match(page.body, '<input type="radio" name="source" value="xml" checked>')
})

t.test('adding from Okta\'s pasted metadata: its entity ID, Redirect sign-on URL and certificate; an SP key pair of its own; the card counts it', async t => {
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta', metadata_xml: oktaMetadata(oktaCert), email_attribute: 'email', group_attribute: 'groups', mapping_group_1: 'Stocktake Admins', mapping_role_1: 'admin' }))
  t.equal(res.statusCode, 303, res.body)
  t.equal(res.headers.location, PAGE)
  const okta = await idpByKey('okta')
  t.match(okta, {
    display_name: 'Okta',
    enabled: true,
    entity_id: 'http://www.okta.com/exk1fcia6d6EMsf8i0h8',
    sso_url: 'https://acme.okta.com/app/acme_stocktake_1/exk1fcia6d6EMsf8i0h8/sso/saml',
    signed_part: 'response',
    email_attribute: 'email',
    group_attribute: 'groups',
    first_name_attribute: null,
    allow_idp_initiated: false,
    create_people: false,
    default_role: 'employee',
    role_mappings: [{ group: 'Stocktake Admins', role: 'admin' }]
  })
  t.same(okta.certificates.map(base64Of), [base64Of(oktaCert)])
  t.match(okta.sp_certificate, /^-----BEGIN CERTIFICATE-----/)
  t.notMatch(okta.sealed_sp_private_key, /PRIVATE KEY/, 'the SP key is sealed')
  t.match(await app.secrets.decrypt(acme.id, okta.sealed_sp_private_key), /^-----BEGIN (RSA )?PRIVATE KEY-----/)
  t.equal(await badgeCount(), 1)

  const page = await owner.get(PAGE)
  t.match(page.body, 'Added “Okta”.')
  t.match((await owner.get('/settings/integrations')).body, '1 IdP')
  const row = /<tr id="idp-row-okta">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? ''
  t.match(row, 'Okta</a><br><code>okta</code>')
  t.match(row, '<span class="badge badge-success">Enabled</span>')
  t.match(row, '<code>http://www.okta.com/exk1fcia6d6EMsf8i0h8</code>')
  t.match(row, /<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d<\/time><\/td>\s*<td>Off<\/td>\s*<td class="num">1<\/td>/, 'certificate expiry (no warning), JIT off, one mapping')
  t.match(page.body, new RegExp(`<label for="idp-${okta.id}-sp-entity-id">Entity ID \\(Audience URI, Identifier\\)</label>\\s*<div class="token-secret"><input id="idp-${okta.id}-sp-entity-id" value="${SSO}/okta" readonly`))
  t.match(page.body, new RegExp(`<input id="idp-${okta.id}-sp-acs-url" value="${SSO}/okta/callback" readonly[^>]*><button type="button" class="button" data-copy="idp-${okta.id}-sp-acs-url">Copy`))
  t.match(page.body, `Single sign-on URL: <code>${SSO}/okta/callback</code>`, 'Okta\'s steps with its addresses')
  t.match(page.body, `Identifier (Entity ID) <code>${SSO}/okta</code>`, 'Entra\'s steps')
  const metadata = /<a href="data:application\/samlmetadata\+xml;base64,([^"]+)" download="stocktake-okta-metadata.xml">/.exec(page.body)?.[1]
  t.ok(metadata, 'the SP metadata to download')
  const xml = Buffer.from(metadata ?? '', 'base64').toString()
  t.match(xml, `entityID="${SSO}/okta"`)
  t.match(xml, `<AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${SSO}/okta/callback"/>`)
  t.match(xml, 'AuthnRequestsSigned="true"')
  t.match(xml.replace(/\s+/g, ''), `<ds:X509Certificate>${base64Of(okta.sp_certificate)}</ds:X509Certificate>`, 'the SP certificate, to sign requests and to encrypt to')
  t.notMatch(xml, okta.sealed_sp_private_key, 'nothing of the key')

  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.page_action' }).orderBy('id', 'desc').first()
  t.match(audit, { actor_label: 'sam@acme.test', target_id: 'saml', details: { action: 'add-idp', result: /Added “Okta”/ } })
})

t.test('adding from ADFS\'s metadata takes its two signing certificates, not its encryption one nor its SP role\'s', async t => {
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'ADFS (head office)', signed_part: 'assertion', metadata_xml: adfsMetadata({ signing: [adfsOld, adfsNew], encryption: adfsEncryption }) }))
  t.equal(res.statusCode, 303, res.body)
  const adfs = await idpByKey('adfs-head-office')
  t.match(adfs, { display_name: 'ADFS (head office)', entity_id: 'http://adfs.acme.test/adfs/services/trust', sso_url: 'https://adfs.acme.test/adfs/ls/', signed_part: 'assertion' })
  t.same(adfs.certificates.map(base64Of).sort(), [base64Of(adfsOld), base64Of(adfsNew)].sort())
  t.equal(await badgeCount(), 2)
})

t.test('metadata publishing three signing certificates during a roll: the two valid longest are kept', async t => {
  const oldest = await testCertificate('oldest', new Date(Date.now() + 20 * DAY))
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'ADFS branch', signed_part: 'assertion', metadata_xml: adfsMetadata({ signing: [oldest, adfsOld, adfsNew], encryption: adfsEncryption }) }))
  t.equal(res.statusCode, 303, res.body)
  const branch = await idpByKey('adfs-branch')
  t.same(branch.certificates.map(base64Of).sort(), [base64Of(adfsOld), base64Of(adfsNew)].sort())
  await owner.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: branch.id, confirm: 'on' })
})

t.test('adding from a metadata URL fetches it through ctx.http; an http:// URL or one that fails is refused on the field', async t => {
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta URL', key: 'okta-url', source: 'url', metadata_url: `https://idp.example.test${oktaIdp.metadataPath}` }))
  t.equal(res.statusCode, 303, res.body)
  t.equal((await idpByKey('okta-url')).entity_id, oktaIdp.entityId)
  t.same(fetched, [oktaIdp.metadataPath])

  const gone = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Gone', source: 'url', metadata_url: 'https://idp.example.test/gone' }))
  t.equal(gone.statusCode, 422)
  t.equal(fieldError(gone.body, 'new-metadata_url'), 'Metadata URL could not be read: HTTP 404 from idp.example.test/gone.')
  t.match(gone.body, 'value="https://idp.example.test/gone"', 'what was typed stays')
  const plain = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Plain', source: 'url', metadata_url: `http://idp.example.test${oktaIdp.metadataPath}` }))
  t.equal(plain.statusCode, 422)
  t.match(fieldError(plain.body, 'new-metadata_url'), /^Metadata URL must be an https:\/\/ URL/)
  const empty = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Empty', source: 'url', metadata_url: '' }))
  t.match(fieldError(empty.body, 'new-metadata_url'), /^Metadata URL is required/)
  t.equal(fetched.length, 2, 'only https URLs are fetched')
  t.equal(await idpByKey('gone'), undefined)
})

t.test('adding by hand: entity ID, SSO URL and certificate, each checked', async t => {
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'JumpCloud', source: 'manual', entity_id: 'JumpCloud-acme', sso_url: 'https://sso.jumpcloud.com/saml2/stocktake', certificate: handCert, create_people: 'on', first_name_attribute: 'firstname' }))
  t.equal(res.statusCode, 303, res.body)
  t.match(await idpByKey('jumpcloud'), { entity_id: 'JumpCloud-acme', sso_url: 'https://sso.jumpcloud.com/saml2/stocktake', create_people: true, first_name_attribute: 'firstname' })

  const before = (await idps()).length
  const bad = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: '', source: 'manual', entity_id: 'has spaces', sso_url: 'ftp://sso.example.com', certificate: 'MIIBnot-a-certificate', email_attribute: 'x'.repeat(300), default_role: 'owner' }))
  t.equal(bad.statusCode, 422)
  t.match(fieldError(bad.body, 'new-display_name'), /^Display name is required/)
  t.match(fieldError(bad.body, 'new-entity_id'), /^Entity ID is a URI without spaces/)
  t.match(fieldError(bad.body, 'new-sso_url'), /^Single sign-on URL must be an https:\/\/ URL/)
  t.match(fieldError(bad.body, 'new-certificate'), /^Signing certificate is not an X.509 certificate/)
  t.match(fieldError(bad.body, 'new-email_attribute'), /^Email attribute is at most 256 characters/)
  t.match(fieldError(bad.body, 'new-default_role'), /^Default role must be one of/)
  t.match(bad.body, '<input id="new-entity_id" name="entity_id" value="has spaces" aria-invalid="true" aria-describedby="new-entity_id-error">')
  const controls = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta\u0000', source: 'manual', entity_id: 'urn:idp\u0000', sso_url: 'https://idp.example.com/sso', certificate: handCert, group_attribute: 'groups\u0007', mapping_group_1: 'IT\u0000', mapping_role_1: 'admin' }))
  t.equal(controls.statusCode, 422, 'control characters are refused on their fields, not by the database')
  t.match(fieldError(controls.body, 'new-display_name'), /^Display name is one line of text/)
  t.match(fieldError(controls.body, 'new-entity_id'), /^Entity ID is a URI without spaces/)
  t.match(fieldError(controls.body, 'new-group_attribute'), /^Group attribute is one line/)
  t.match(fieldError(controls.body, 'new-mapping_group_1'), /^Group value is one line of text/)
  const noCertificate = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'No cert', source: 'manual', entity_id: 'urn:idp', sso_url: 'https://idp.example.com/sso' }))
  t.match(fieldError(noCertificate.body, 'new-certificate'), /^Signing certificate is required/)
  t.equal((await idps()).length, before, 'nothing stored')
})

t.test('metadata that is not well-formed, has a DOCTYPE, or lacks what is needed is refused on its field; nothing stored', async t => {
  const before = (await idps()).length
  const post = async (xml: string) => await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Broken', metadata_xml: xml }))
  const spMetadata = Buffer.from(/<a href="data:application\/samlmetadata\+xml;base64,([^"]+)" download="stocktake-okta-metadata.xml">/.exec((await owner.get(PAGE)).body)![1], 'base64').toString()
  const cases: Array<[string, string, RegExp]> = [
    ['truncated', oktaMetadata(oktaCert).slice(0, 400), /^is not well-formed XML/],
    ['not XML', 'this is not metadata', /^is not well-formed XML/],
    ['DOCTYPE', `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${oktaMetadata(oktaCert).replace(/^<\?xml[^>]*>/, '').replace('http://www.okta.com/exk1fcia6d6EMsf8i0h8', '&xxe;')}`, /^Metadata with a DOCTYPE is refused/],
    ['no certificate', oktaMetadata(oktaCert).replace(/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/, ''), /^has no signing certificate/],
    ['a broken certificate', oktaMetadata(oktaCert).replace(base64Of(oktaCert), 'AAAA'), /^has a signing KeyDescriptor whose X509Certificate is not an X.509 certificate/],
    ['a plain-http sign-on URL', oktaMetadata(oktaCert).replaceAll('https://acme.okta.com', 'http://acme.okta.com'), /^has a sign-on URL Stocktake cannot use \(http:\/\/acme\.okta\.com\/[^)]*\): Single sign-on URL must be an https:\/\/ URL/],
    ['a NUL character', oktaMetadata(oktaCert).replace('exk1fcia6d6EMsf8i0h8"', 'exk1\u0000"'), /^is not well-formed XML: it holds control characters/],
    ['only POST sign-on', oktaMetadata(oktaCert).replace(/<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*>/, ''), /^has no SingleSignOnService with the HTTP-Redirect binding/],
    ['a service provider\'s', spMetadata, /^has no IDPSSODescriptor/],
    ['two IdPs', `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${oktaMetadata(oktaCert, 'exkA').replace(/^<\?xml[^>]*>/, '')}${oktaMetadata(oktaCert, 'exkB').replace(/^<\?xml[^>]*>/, '')}</EntitiesDescriptor>`, /^describes 2 identity providers: give the metadata of one/]
  ]
  for (const [name, xml, message] of cases) {
    const res = await post(xml)
    t.equal(res.statusCode, 422, name)
    t.match(fieldError(res.body, 'new-metadata_xml'), message, name)
  }
  t.equal((await idps()).length, before)
})

t.test('a key is unique in the workspace; a blank one comes from the name', async t => {
  const res = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta', metadata_xml: oktaMetadata(oktaCert, 'exkOTHER') }))
  t.equal(res.statusCode, 422)
  t.equal(fieldError(res.body, 'new-key'), 'Key “okta” is taken by another identity provider of this workspace: choose another.')
  const bad = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Okta 2', key: 'Okta_2', metadata_xml: oktaMetadata(oktaCert, 'exkOTHER') }))
  t.match(fieldError(bad.body, 'new-key'), /^Key must be 1–64 lowercase letters, digits and dashes/)
})

t.test('an admin sees the page read-only: SP details and IdPs but no form; every action refused (403, audited), nothing stored', async t => {
  const page = await admin.get(PAGE)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Only a super admin can change a sign-in integration', 'the core\'s explanation')
  t.match(page.body, '<tr id="idp-row-okta">', 'the IdPs are listed')
  t.match(page.body, `Single sign-on URL: <code>${SSO}/okta/callback</code>`, 'with the details to give the IdP')
  t.notMatch(page.body, `action="${PAGE}/actions/`, 'no form posts to an action')
  t.notMatch(page.body, 'Add an identity provider', 'no add form')
  t.notMatch(page.body, '<summary>Edit ', 'no edit form')
  t.notMatch(page.body, '<summary>Delete ', 'no delete form')

  const before = await idps()
  const okta = await idpByKey('okta')
  const add = await admin.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'OneLogin', metadata_xml: oktaMetadata(oktaCert, 'exkONELOGIN'), mapping_group_1: 'Owners', mapping_role_1: 'super-admin' }))
  t.equal(add.statusCode, 403)
  const edit = await admin.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { mapping_group_1: 'Everyone', mapping_role_1: 'super-admin', default_role: 'super-admin' }))
  t.equal(edit.statusCode, 403)
  const remove = await admin.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: okta.id, confirm: 'on' })
  t.equal(remove.statusCode, 403)
  t.same(await idps(), before, 'nothing added, changed or deleted')
  const denied = await app.db('audit_log').where({ workspace_id: acme.id, action: 'access.denied', actor_label: 'ada@acme.test' })
  t.ok(denied.length >= 1, 'the refusal is audited')
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.page_action', actor_label: 'ada@acme.test' }).first(), undefined, 'no action ran')
})

t.test('a super admin may map a group to Super admin; a group mapped twice or a role without a group is refused', async t => {
  const mixed = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'OneLogin', signed_part: 'assertion', metadata_xml: oktaMetadata(oktaCert, 'exkONELOGIN'), mapping_group_1: 'Owners', mapping_role_1: 'super-admin', mapping_group_2: 'Owners', mapping_role_2: 'admin', mapping_group_3: '', mapping_role_3: 'admin' }))
  t.equal(mixed.statusCode, 422)
  t.match(fieldError(mixed.body, 'new-mapping_group_2'), /^Group value “Owners” is mapped twice/)
  t.match(fieldError(mixed.body, 'new-mapping_group_3'), /^Group value is required when a role is chosen/)
  t.equal(await idpByKey('onelogin'), undefined)
  const ok = await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'OneLogin', signed_part: 'assertion', metadata_xml: oktaMetadata(oktaCert, 'exkONELOGIN'), mapping_group_1: 'Owners', mapping_role_1: 'super-admin', default_role: 'super-admin' }))
  t.equal(ok.statusCode, 303)
  t.match(await idpByKey('onelogin'), { role_mappings: [{ group: 'Owners', role: 'super-admin' }], default_role: 'super-admin' })
  t.match(/<select id="new-mapping_role_1"[\s\S]*?<\/select>/.exec((await owner.get(PAGE)).body)?.[0], '<option value="super-admin">Super admin</option>', 'offered to a super admin')
})

t.test('the page warns 30 days before an IdP certificate expires, and once it has', async t => {
  const [soon, expired] = await Promise.all([testCertificate('soon', new Date(Date.now() + 10 * DAY + 3600 * 1000)), testCertificate('expired', new Date(Date.now() - 2 * DAY))])
  t.equal((await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Auth0', metadata_xml: oktaMetadata(soon, 'exkAUTH0') }))).statusCode, 303)
  t.equal((await owner.post(`${PAGE}/actions/add-idp`, addForm({ display_name: 'Old IdP', source: 'manual', entity_id: 'urn:old', sso_url: 'https://old.example.com/sso', certificate: expired }))).statusCode, 303)
  const page = (await owner.get(PAGE)).body
  t.match(page, '<strong>Certificates to roll:</strong>')
  t.match(page, /Auth0<\/a>: a signing certificate expires on \d{4}-\d\d-\d\d, in 10 days \(CN&#x3D;soon\)/)
  t.match(page, /Old IdP<\/a>: a signing certificate expired on \d{4}-\d\d-\d\d \(CN&#x3D;expired\)/)
  t.match(/<tr id="idp-row-auth0">[\s\S]*?<\/tr>/.exec(page)?.[0], '<span class="badge badge-warning">Expires in 10 days</span>')
  t.match(/<tr id="idp-row-old-idp">[\s\S]*?<\/tr>/.exec(page)?.[0], '<span class="badge badge-failure">Expired</span>')
  t.notMatch(/<tr id="idp-row-okta">[\s\S]*?<\/tr>/.exec(page)?.[0], 'badge-warning', 'a certificate valid a year: no warning')
})

t.test('editing: settings saved, a certificate rolled (two at most, one at least), a stale form refused', async t => {
  const rolled = await owner.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { display_name: 'Okta (staff)', new_certificate: handCert, create_people: 'on', default_role: 'it-admin' }))
  t.equal(rolled.statusCode, 303, rolled.body)
  let okta = await idpByKey('okta')
  t.match(okta, { display_name: 'Okta (staff)', create_people: true, default_role: 'it-admin', version: 2, key: 'okta' })
  t.same(okta.certificates.map(base64Of), [base64Of(oktaCert), base64Of(handCert)])

  const third = await owner.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { new_certificate: adfsNew }))
  t.equal(third.statusCode, 422)
  t.match(fieldError(third.body, `${okta.id}-new_certificate`), /^Signing certificate: at most two at once/)
  t.match(third.body, /<details open>\s*<summary>Edit Okta \(staff\)<\/summary>/, 'the refused form is open')
  const none = await owner.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { remove_certificate_0: 'on', remove_certificate_1: 'on' }))
  t.match(fieldError(none.body, `${okta.id}-new_certificate`), /^Signing certificate: keep one or add one/)

  const stale = await editForm('okta', { display_name: 'Mine' })
  t.equal((await owner.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { remove_certificate_0: 'on' }))).statusCode, 303)
  okta = await idpByKey('okta')
  t.same(okta.certificates.map(base64Of), [base64Of(handCert)], 'the old certificate removed')
  const forged = await owner.post(`${PAGE}/actions/edit-idp`, { ...stale, version: '99999999999999999999' })
  t.equal(forged.statusCode, 422, 'a version out of range is a refused form, not a database error')
  const refused = await owner.post(`${PAGE}/actions/edit-idp`, stale)
  t.equal(refused.statusCode, 422)
  t.match(refused.body, 'Someone else changed “Okta (staff)” since you opened this page')
  t.equal((await idpByKey('okta')).display_name, 'Okta (staff)', 'nothing of the stale form saved')
})

t.test('deleting asks for confirmation; the card counts one fewer', async t => {
  const count = await badgeCount()
  const adfs = await idpByKey('adfs-head-office')
  const unconfirmed = await owner.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: adfs.id })
  t.equal(unconfirmed.statusCode, 422)
  t.match(fieldError(unconfirmed.body, `${adfs.id}-confirm`), /^Tick the box to confirm/)
  t.ok(await idpByKey('adfs-head-office'))
  const res = await owner.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: adfs.id, confirm: 'on' })
  t.equal(res.statusCode, 303)
  t.equal(await idpByKey('adfs-head-office'), undefined)
  t.equal(await badgeCount(), count - 1)
})

t.test('another workspace sees none of these IdPs and cannot edit or delete them (404)', async t => {
  const otherMembers = members(app, other)
  const stranger = await otherMembers.as(await otherMembers.add('super-admin', 'ola@other.test'))
  const page = await stranger.get(PAGE)
  t.match(page.body, 'No identity providers yet.')
  t.notMatch(page.body, 'idp-row-')
  const okta = await idpByKey('okta')
  const edit = await stranger.post(`${PAGE}/actions/edit-idp`, await editForm('okta', { display_name: 'Taken over' }))
  t.equal(edit.statusCode, 404)
  const remove = await stranger.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: okta.id, confirm: 'on' })
  t.equal(remove.statusCode, 404)
  t.equal((await idpByKey('okta')).display_name, 'Okta (staff)')
  const notAnId = await owner.post(`${PAGE}/actions/delete-idp`, { form_kind: 'delete', id: 'not-a-uuid', confirm: 'on' })
  t.equal(notAnId.statusCode, 404)
})
