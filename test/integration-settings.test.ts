import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { IntegrationSettings } from '../core/integrations/settings.ts'
import type { Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { destinationSettings } from '../core/integrations/manifest.ts'

const actor: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const plugin = {
  id: 'vendor-x',
  settingsSchema: {
    type: 'object' as const,
    required: ['tenantUrl', 'clientId', 'clientSecret'],
    properties: {
      tenantUrl: { type: 'string', format: 'uri', pattern: '^https://' },
      clientId: { type: 'string', minLength: 3 },
      clientSecret: { type: 'string', writeOnly: true, minLength: 8 },
      pageSize: { type: 'integer', minimum: 1, maximum: 500, default: 100 }
    }
  }
}
const VALID = { tenantUrl: 'https://acme.example.com', clientId: 'client-1', clientSecret: 's3cret-value-1' }

t.test('settings are validated by field, secrets encrypted, blank secrets kept', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)

  const bad = await settings.save(ws, actor, plugin, { tenantUrl: 'http://plain', clientId: 'x', pageSize: '9000', color: 'red' })
  t.same(bad, { ok: false, errors: [{ field: 'color', rule: 'unknown', message: 'is not a setting of this integration' }] })
  const invalid = await settings.save(ws, actor, plugin, { tenantUrl: 'http://plain', clientId: 'x', pageSize: '9000' })
  t.equal(invalid.ok, false)
  const byField = Object.fromEntries(!invalid.ok ? invalid.errors.map(e => [e.field, e.rule]) : [])
  t.same(byField, { tenantUrl: 'pattern', clientId: 'minLength', clientSecret: 'required', pageSize: 'maximum' })
  t.equal((await app.db('integrations')).length, 0, 'nothing stored')

  const saved = await settings.save(ws, actor, plugin, { ...VALID, pageSize: '50' }, { enabled: true })
  t.equal(saved.ok, true)
  const row = await app.db('integrations').where({ workspace_id: ws }).first()
  t.same(row.settings, { tenantUrl: VALID.tenantUrl, clientId: 'client-1', pageSize: 50 }, 'coerced, and no secret among plain settings')
  t.notMatch(JSON.stringify(row.secrets), VALID.clientSecret, 'the secret is encrypted at rest')

  const form = await settings.form(ws, plugin)
  t.same(form, { enabled: true, values: row.settings, secretsSaved: { clientSecret: true } })
  t.notMatch(JSON.stringify(form), VALID.clientSecret, 'the form never carries the secret')

  // A blank secret keeps the stored one; a new value replaces it.
  t.equal((await settings.save(ws, actor, plugin, { ...VALID, clientSecret: '', clientId: 'client-2' })).ok, true)
  t.same(await settings.resolve(ws, plugin), { tenantUrl: VALID.tenantUrl, clientId: 'client-2', pageSize: 100, clientSecret: VALID.clientSecret })
  t.equal((await settings.save(ws, actor, plugin, { ...VALID, clientSecret: 'another-secret' })).ok, true)
  t.equal((await settings.resolve(ws, plugin)).clientSecret, 'another-secret')

  const audit = await app.db('audit_log').where({ workspace_id: ws, action: 'integration.settings_saved' }).orderBy('id')
  t.equal(audit.length, 3)
  t.same(audit[2].changes, { clientSecret: { old: '(set)', new: '(changed)' }, clientId: { old: 'client-2', new: 'client-1' } })
  t.notMatch(JSON.stringify(audit), /s3cret|another-secret/, 'no secret reaches the audit log')
})

t.test('enable and disable are audited once per change', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)
  await settings.setEnabled(ws, actor, plugin, true)
  await settings.setEnabled(ws, actor, plugin, true)
  await settings.setEnabled(ws, actor, plugin, false)
  const actions = (await app.db('audit_log').where({ workspace_id: ws }).orderBy('id')).map(r => r.action)
  t.same(actions, ['integration.enabled', 'integration.disabled'])
})

t.test('destination settings come from the manifest: allowedHosts and the OAuth token URL and scope', async t => {
  const plugins = await discoverPlugins()
  const of = (id: string) => destinationSettings(plugins.find(p => p.id === id)!.manifest)
  t.same(of('jamf'), ['tenantUrl'])
  t.same(of('intune'), ['loginHost', 'graphHost', 'tenantId'], 'the tenant is in the token URL\'s path')
  t.same(of('slack-alerts'), [], 'a fixed host decides nothing')
  t.same(destinationSettings({ oauth2: { tokenUrl: 'https://login.example.com/token', clientId: '{{clientId}}', clientSecret: '{{secret}}', scope: 'https://{{apiHost}}/.default' } }), ['apiHost'])
})

t.test('a stored secret does not follow a changed destination: it must be entered again', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)
  const sso = {
    id: 'vendor-y',
    manifest: { allowedHosts: ['{{tenantUrl}}', '{{region}}.api.example.com'], oauth2: { tokenUrl: '{{tenantUrl}}/oauth/token', clientId: '{{clientId}}', clientSecret: '{{clientSecret}}' } },
    settingsSchema: {
      type: 'object' as const,
      required: ['tenantUrl', 'clientId', 'clientSecret'],
      properties: {
        tenantUrl: { type: 'string', format: 'uri', pattern: '^https://', title: 'Tenant URL' },
        clientId: { type: 'string', minLength: 3 },
        clientSecret: { type: 'string', writeOnly: true, minLength: 8, title: 'Client secret' },
        apiKey: { type: 'string', writeOnly: true, title: 'API key' },
        pageSize: { type: 'integer', default: 100 }
      }
    }
  }
  t.ok((await settings.save(ws, actor, sso, { ...VALID, apiKey: 'key-number-1' })).ok)
  const before = await app.db('integrations').where({ workspace_id: ws }).first()

  const moved = await settings.save(ws, actor, sso, { ...VALID, tenantUrl: 'https://evil.example.net', clientSecret: '' })
  t.same(moved, {
    ok: false,
    errors: ['clientSecret', 'apiKey'].map(field => ({ field, rule: 'reenter', message: 'must be entered again: Tenant URL changed, and a saved secret is sent only where it was entered for' }))
  }, 'every stored secret left blank is an error on its field')
  const onlyOne = await settings.save(ws, actor, sso, { ...VALID, tenantUrl: 'https://evil.example.net', clientSecret: 'entered-again' })
  t.same(!onlyOne.ok && onlyOne.errors.map(e => e.field), ['apiKey'], 'entering one secret is not enough')
  t.same(await app.db('integrations').where({ workspace_id: ws }).first(), before, 'nothing was stored')

  t.ok((await settings.save(ws, actor, sso, { ...VALID, clientId: 'client-9', clientSecret: '' })).ok,
    'the same destination (the client ID is none): a blank secret keeps the stored one')
  t.equal((await settings.resolve(ws, sso)).clientSecret, VALID.clientSecret)

  const both = await settings.save(ws, actor, sso, { ...VALID, tenantUrl: 'https://acme.example.org', clientSecret: 'entered-again', apiKey: 'key-number-2' })
  t.ok(both.ok, 'with every secret entered again the new destination is saved')
  t.match(await settings.resolve(ws, sso), { tenantUrl: 'https://acme.example.org', clientSecret: 'entered-again', apiKey: 'key-number-2' })
})

t.test('a default filled in since the row was saved is no change of destination', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)
  const regional = {
    id: 'vendor-z',
    manifest: { allowedHosts: ['{{apiHost}}'] },
    settingsSchema: {
      type: 'object' as const,
      properties: { apiHost: { type: 'string', default: 'api.example.com', title: 'API host' }, token: { type: 'string', writeOnly: true } }
    }
  }
  t.ok((await settings.save(ws, actor, regional, { token: 'stored-token' })).ok)
  await app.db('integrations').where({ workspace_id: ws }).update({ settings: {} }) // as saved before apiHost existed
  t.ok((await settings.save(ws, actor, regional, { token: '' })).ok, 'the default is the host the secret was saved for')
  const moved = await settings.save(ws, actor, regional, { apiHost: 'api.example.eu', token: '' })
  t.match(moved, { ok: false, errors: [{ field: 'token', rule: 'reenter', message: /API host changed/ }] })
})
