// A settings schema says in its own words what a broken rule means (`errorMessage`), so the
// settings form names the rule without a plugin writing code to explain a pattern.
import t, { type Test } from 'tap'
import { discoverPlugins } from '../core/integrations/index.ts'
import { settingsSchemaProblems } from '../core/integrations/settings-schema.ts'
import { validateSettings, type SettingsSchema } from '../core/integrations/settings-validation.ts'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'

const schema: SettingsSchema = {
  type: 'object',
  required: ['subdomain', 'region'],
  properties: {
    subdomain: {
      type: 'string',
      pattern: '^[a-z0-9-]+$',
      maxLength: 20,
      errorMessage: { pattern: 'must be the part before .example.com, in lower case', required: 'is required: it is in your address bar' }
    },
    region: { type: 'string', enum: ['eu', 'us'], errorMessage: 'must be eu or us' },
    apiKey: { type: 'string', writeOnly: true, allOf: [{ minLength: 10, errorMessage: 'is 10 characters or more' }] },
    plain: { type: 'integer' }
  }
}

t.test('per keyword, for every keyword of a schema object, in a nested schema, for a missing property', async t => {
  const errors = validateSettings(schema, { subdomain: 'Acme Corp', region: 'asia', apiKey: 'short', plain: 'x' })
  t.same(errors.filter(e => e.field !== 'plain'), [
    { field: 'subdomain', rule: 'pattern', message: 'must be the part before .example.com, in lower case', authored: true },
    { field: 'region', rule: 'enum', message: 'must be eu or us', authored: true },
    { field: 'apiKey', rule: 'minLength', message: 'is 10 characters or more', authored: true }
  ])
  t.match(errors.find(e => e.field === 'plain'), { rule: 'type', message: 'must be integer' }, 'without one, the validator\'s words')
  t.notOk('authored' in errors.find(e => e.field === 'plain')!)
  t.same(validateSettings(schema, { region: 'eu' }), [{ field: 'subdomain', rule: 'required', message: 'is required: it is in your address bar', authored: true }])
  t.same(validateSettings(schema, { subdomain: 'a'.repeat(21), region: 'eu' }).map(e => [e.rule, e.authored ?? false]), [['maxLength', false]], 'a keyword without words keeps the default')
})

t.test('discovery refuses an errorMessage that is not words', async t => {
  const withMessage = (errorMessage: unknown) => settingsSchemaProblems({ type: 'object', properties: { a: { type: 'string', errorMessage } } }, {})
  t.same(withMessage('must be a thing'), [])
  t.same(withMessage({ pattern: 'must be a thing' }), [])
  for (const bad of [42, '', {}, { pattern: 7 }]) t.ok(withMessage(bad).length > 0, `refused: ${JSON.stringify(bad)}`)
})

/** An app with the Jamf plugin only, and an admin of acme signed in. */
async function jamfAdmin (t: Test) {
  const jamf = (await discoverPlugins()).find(p => p.id === 'jamf')!
  const { app, workspace } = await buildTestApp(t, {}, { plugins: [jamf] })
  const acme = await workspace('acme')
  const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
  return { jamf, app, acme, session: await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id }) }
}

t.test("Jamf's settings form names the broken tenant URL rule", async t => {
  const { app, acme, session } = await jamfAdmin(t)
  const save = (tenantUrl: string) => session.post('/settings/integrations/jamf', { tenantUrl, clientId: 'not-a-uuid', clientSecret: 'a-secret-value', enabled: 'on' })
  const refused = await save('http://acme.jamfcloud.com/')
  t.equal(refused.statusCode, 422)
  t.match(refused.body, 'Tenant URL must start with https:// (for example https://acme.jamfcloud.com). Tenant URL must not end with a slash.', 'each broken rule, named')
  t.match(refused.body, 'Client ID must be the API client&#x27;s ID, a UUID')
  t.match((await save('https://acme.jamfcloud.com/api')).body, 'Tenant URL must not end with /api: Stocktake adds the API paths itself.')
  t.equal(await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'jamf' }).first(), undefined, 'nothing saved')
})

t.test('saved settings the schema now refuses (a rule tightened by an upgrade) are never used to call the vendor', async t => {
  const { jamf, app, acme, session } = await jamfAdmin(t)
  const saved = await session.post('/settings/integrations/jamf', { tenantUrl: 'https://acme.jamfcloud.com', clientId: '6cabf059-21c9-44d6-bbde-02898f7430dd', clientSecret: 'a-secret-value', enabled: 'on' })
  t.ok(saved.statusCode < 400, `saved: ${saved.statusCode}`)
  // as an older version, without today's rule, would have let it be saved
  await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'jamf' }).update({ settings: app.db.raw("settings || '{\"tenantUrl\": \"https://acme.jamfcloud.com/\"}'::jsonb") })

  const ctx = await app.integrations.contextFor('jamf', acme.id)
  t.same(await jamf.connector!.test!(ctx), {
    ok: false,
    reason: 'config',
    message: 'Jamf Pro cannot connect with its saved settings: Tenant URL must not end with a slash. Edit them on its card and save.'
  })
  await t.rejects(ctx.http.request({ url: 'https://acme.jamfcloud.com/api/v1/auth', auth: 'none' }), /cannot connect with its saved settings/, 'unsigned requests too')
  t.equal(await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.http_call' }).first(), undefined, 'nothing was sent')
})

t.test('a conditional rule (if/then) is named once, on its field, in the branch\'s words', async t => {
  const entra = (await discoverPlugins()).find(p => p.id === 'entra-sso')!
  const app = { clientId: '3f1c2b4a-6d5e-4f70-8a9b-0c1d2e3f4a5b', clientSecret: 'a-secret-value' }
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47'
  const check = (values: Record<string, unknown>) => validateSettings(entra.settingsSchema as SettingsSchema, { ...app, ...values })
  t.same(check({ tenancy: 'single' }), [{ field: 'tenantId', rule: 'required', message: 'is required for one organization: the Directory (tenant) ID GUID or a verified domain', authored: true }])
  t.same(check({}), [{ field: 'tenantId', rule: 'required', message: 'is required for one organization: the Directory (tenant) ID GUID or a verified domain', authored: true }], 'single is the default')
  t.same(check({ tenancy: 'multi' }), [{ field: 'allowedTenants', rule: 'required', message: 'must list at least one Directory (tenant) ID for several organizations', authored: true }])
  t.same(check({ tenancy: 'multi', allowedTenants: tenant, loginHost: 'login.microsoftonline.us' }).map(e => [e.field, e.rule]), [['loginHost', 'const']])
  t.same(check({ tenancy: 'single', tenantId: tenant }), [])

  const { app: server, workspace } = await buildTestApp(t, {}, { plugins: [entra] })
  const acme = await workspace('acme')
  const [owner] = await server.db('users').insert({ workspace_id: acme.id, email: 'sue@acme.test', role: 'super-admin' }).returning('*')
  const session = await signIn(server, { slug: 'acme', workspaceId: acme.id, userId: owner.id })
  const refused = await session.post('/settings/integrations/entra-sso', { ...app, tenancy: 'single', tenantId: '', enabled: 'on' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /class="field-error"[^>]*>Tenant ID is required for one organization: the Directory \(tenant\) ID GUID or a verified domain\.</, 'on the field')
  t.notMatch(refused.body, 'The settings must', 'no general message beside it')
  t.notMatch(refused.body, '<details open>', 'the national clouds stay folded away')

  // A national cloud for several organizations: the error is on the sign-in host, folded away under Advanced, which opens.
  const cloud = await session.post('/settings/integrations/entra-sso', { ...app, tenancy: 'multi', allowedTenants: tenant, loginHost: 'login.microsoftonline.us', enabled: 'on' })
  t.equal(cloud.statusCode, 422)
  t.match(cloud.body, /<details open>\s*<summary>Advanced: national clouds<\/summary>[\s\S]*class="field-error" id="entra-sso-login-host-error">Microsoft Entra sign-in host must be the global cloud/)
})
