import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { routeToFake } from '../core/sdk.ts'
import { safeIcon } from '../core/integrations/grid-view.ts'
import type { Role } from '../core/auth/roles.ts'
import { startFake, type SlackFakeOptions } from '../plugins/slack-alerts/fake.ts'
import { pollRun } from './helpers/wait.ts'

const HX = { 'hx-request': 'true' }

async function setup (t: Parameters<typeof buildTestApp>[0], fakeOptions: SlackFakeOptions = {}) {
  const fake = await startFake(fakeOptions)
  t.teardown(() => fake.close())
  const ctx = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  const acme = await ctx.workspace('acme')
  const addUser = async (role: Role, email: string) => {
    const [row] = await ctx.app.db('users').insert({ workspace_id: acme.id, email, role, first_name: 'Test', last_name: role }).returning('*')
    return row as { id: string }
  }
  const admin = await addUser('admin', 'adam@acme.test')
  const employee = await addUser('employee', 'eve@acme.test')
  const as = async (user: { id: string }) => await signIn(ctx.app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
  return { ...ctx, fake, acme, admin, employee, as }
}

/** The card <li> of one plugin in a page. */
function card (body: string, id: string): string {
  const match = new RegExp(`<li id="integration-card-${id}"[\\s\\S]*?</li>`).exec(body)
  return match?.[0] ?? ''
}

t.test('icons are inlined only when they cannot run script', async t => {
  t.equal(safeIcon('<svg viewBox="0 0 1 1"><path d="M0 0"/></svg>'), '<svg viewBox="0 0 1 1"><path d="M0 0"/></svg>')
  t.equal(safeIcon('<?xml version="1.0"?>\n<svg><g/></svg>'), '<svg><g/></svg>', 'the prolog is dropped')
  t.equal(safeIcon('<svg><script>alert(1)</script></svg>'), null)
  t.equal(safeIcon('<svg onload="alert(1)"></svg>'), null)
  t.equal(safeIcon('<svg><a href="javascript:alert(1)"><path/></a></svg>'), null)
  t.equal(safeIcon('<div>not svg</div>'), null)
  t.equal(safeIcon(null), null)
})

t.test('the grid, filters, modal, save, secrets, test connection and disconnect', async t => {
  const { app, fake, admin, employee, as, acme, workspace } = await setup(t)
  const session = await as(admin)

  const settings = await session.get('/settings')
  t.match(settings.body, 'href="/settings/integrations"', 'the Settings page links to Integrations')

  const grid = await session.get('/settings/integrations')
  t.equal(grid.statusCode, 200)
  t.match(grid.body, '<h1>Integrations</h1>')
  t.match(card(grid.body, 'slack-alerts'), />Not connected</, 'Slack is not connected yet')
  t.match(card(grid.body, 'slack-alerts'), /<svg/, 'the plugin icon is inlined')
  t.match(card(grid.body, 'slack-alerts'), 'hx-get="/settings/integrations/slack-alerts"', 'the Slack card opens the modal')
  const jira = card(grid.body, 'jira-service-management')
  t.match(jira, 'Jira Service Management')
  t.match(jira, />Coming soon</)
  t.notMatch(jira, /Not connected|<a /, 'a coming-soon card has no link and no connection badge')
  t.match(grid.body, /href="\/settings\/integrations" [^>]*aria-current="true"[^>]*>All</, 'All is the current pill')
  for (const label of ['All', 'Authentication', 'Communication', 'SaaS utilization', 'Ticketing', 'Device management', 'HRIS']) {
    t.match(grid.body, new RegExp(`class="pill"[^>]*>${label}</a>`), `the ${label} pill`)
  }

  const communication = await session.get('/settings/integrations?category=communication')
  t.match(communication.body, 'integration-card-slack-alerts')
  t.notMatch(communication.body, 'integration-card-jira-service-management', 'communication hides Jira')
  t.match(communication.body, /href="\/settings\/integrations\?category(=|&#x3D;)communication"[^>]*aria-current="true"/, 'the pill is current')
  const ticketing = await session.get('/settings/integrations?category=ticketing')
  t.notMatch(ticketing.body, 'integration-card-slack-alerts', 'ticketing hides Slack')
  t.match(ticketing.body, 'integration-card-jira-service-management')
  const hris = await session.get('/settings/integrations?category=hris')
  t.match(hris.body, 'No HRIS integrations yet.')

  const fragment = await session.get('/settings/integrations?category=communication', { ...HX, 'hx-target': 'integrations-grid' })
  t.equal(fragment.statusCode, 200)
  t.match(fragment.body, /^<div id="integrations-grid"/, 'htmx gets the grid fragment')
  t.notMatch(fragment.body, /<html|<h1>/, 'and nothing of the layout')
  t.match(fragment.body, 'integration-card-slack-alerts')
  t.notMatch(fragment.body, 'integration-card-jira-service-management')

  const unknown = await session.get('/settings/integrations?category=fax-machines')
  t.equal(unknown.statusCode, 200, 'an unknown category is not an error page')
  t.match(unknown.body, 'There is no integration category “fax-machines”.')
  t.notMatch(unknown.body, 'integration-card-')
  const hostile = await session.get('/settings/integrations?category=%3Cscript%3E')
  t.notMatch(hostile.body, '<script>', 'the category is escaped')

  // The modal, and the same form as a page without JavaScript.
  const modal = await session.get('/settings/integrations/slack-alerts', HX)
  t.equal(modal.statusCode, 200)
  t.match(modal.body, /^<dialog id="integration-dialog"[^>]*aria-labelledby="integration-dialog-title"/)
  t.match(modal.body, /^<dialog [^>]*data-modal>/, 'opened as a modal (views/public/stocktake.js)')
  t.match(modal.body, '<h2 id="integration-dialog-title">Slack</h2>')
  t.match(modal.body, '>Close</button>')
  t.match(modal.body, 'name="webhookUrl" type="password"', 'the card.hbs body')
  t.match(modal.body, 'This integration will be able to:')
  t.match(modal.body, 'incoming-webhook (post to the one channel')
  t.match(modal.body, 'href="https://api.slack.com/messaging/webhooks"')
  t.match(modal.body, /name="enabled"[^>]*>\s*Enabled/)
  t.match(modal.body, '>Save changes</button>')
  t.match(modal.body, '>Test connection</button>')
  t.notMatch(modal.body, '>Disconnect</button>', 'nothing saved: nothing to disconnect')
  const page = await session.get('/settings/integrations/slack-alerts')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h1>Slack</h1>')
  t.match(page.body, 'action="/settings/integrations/slack-alerts"')

  // Test connection before anything is saved.
  const early = await session.post('/settings/integrations/slack-alerts/test', {}, { headers: HX })
  t.equal(early.statusCode, 422)
  t.match(early.body, 'Save the settings first, then test the connection.')

  // A refused save: 422, the form again with an inline error naming the field, nothing stored.
  const bad = await session.post('/settings/integrations/slack-alerts', { webhookUrl: 'https://example.com/not-a-webhook', events: 'hardware.created', enabled: 'true' }, { headers: HX })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /<p class="field-error" id="slack-alerts-webhook-url-error">Webhook URL [^<]+<\/p>/, 'the error names the field')
  t.notMatch(bad.body, 'example.com/not-a-webhook', 'the typed secret is not echoed back')
  t.match(bad.body, /value="hardware\.created" checked/, 'what was ticked stays ticked')
  t.notMatch(bad.body, /value="asset_request\.created" checked/)
  t.match(bad.body, /name="enabled" value="true" checked/, 'the Enabled box keeps its state')
  t.equal(await app.db('integrations').where({ workspace_id: acme.id }).first(), undefined, 'nothing was stored')
  const badPage = await session.post('/settings/integrations/slack-alerts', { webhookUrl: 'nope' })
  t.equal(badPage.statusCode, 422, 'without htmx too')
  t.match(badPage.body, '<h1>Slack</h1>')
  t.match(badPage.body, 'Webhook URL ')

  // A valid save: the card says it is not tested yet (Connected needs a test or run that succeeded), in the response (out of band) and on the grid.
  const webhookSecret = fake.settings.webhookUrl.split('/').pop()!
  const good = await session.post('/settings/integrations/slack-alerts', { webhookUrl: fake.settings.webhookUrl, events: ['hardware.created', 'user.offboarded'], enabled: 'true' }, { headers: HX })
  t.equal(good.statusCode, 200)
  t.match(good.body, '>Saved.</p>')
  t.match(good.body, /<li id="integration-card-slack-alerts"[^>]*hx-swap-oob="true"[\s\S]*>Not tested yet</, 'the card badge updates out of band')
  t.match(good.body, /hx-confirm="Disconnect Slack?[^"]*"/)
  t.match(good.body, '>Disconnect</button>', 'saved: Disconnect is offered')
  const row = await app.integrations.settings.get(acme.id, 'slack-alerts')
  t.match(row, { enabled: true, settings: { events: ['hardware.created', 'user.offboarded'] } })

  for (const [label, res] of [
    ['save response', good],
    ['grid', await session.get('/settings/integrations')],
    ['modal', await session.get('/settings/integrations/slack-alerts', HX)],
    ['page', await session.get('/settings/integrations/slack-alerts')]
  ] as const) {
    t.notMatch(res.body, webhookSecret, `the secret is not in the ${label}`)
    t.notMatch(res.body, 'hooks.slack.com/services/T0', `nor the webhook URL (${label})`)
  }
  t.match(card((await session.get('/settings/integrations')).body, 'slack-alerts'), />Not tested yet</)
  const reopened = await session.get('/settings/integrations/slack-alerts', HX)
  t.match(reopened.body, 'placeholder="saved — leave blank to keep"')
  t.match(reopened.body, /value="user\.offboarded" checked/)

  // Test connection: a fragment that polls the run until it finishes.
  const started = await session.post('/settings/integrations/slack-alerts/test', {}, { headers: HX })
  t.equal(started.statusCode, 200)
  t.match(started.body, 'Testing…')
  t.match(started.body, 'hx-trigger="every 1s"')
  const runUrl = /hx-get="([^"]+)"/.exec(started.body)![1]
  const again = await session.post('/settings/integrations/slack-alerts/test', {}, { headers: HX })
  if (again.statusCode === 409) t.match(again.body, 'A test of Slack is already running.')
  const done = await pollRun(session, started.body, 'slack-alerts')
  t.notMatch(done, 'hx-trigger', 'polling stops once the run is done')
  t.match(done, /role="status">Test succeeded\. Slack accepted the test message/)
  t.ok(fake.messages.length >= 1, 'the fake received the test message')
  const runPage = await session.get(runUrl)
  t.equal(runPage.statusCode, 200, 'the run has a page without JavaScript')
  t.match(runPage.body, 'Test succeeded')
  t.match(card((await session.get('/settings/integrations')).body, 'slack-alerts'), />Connected</, 'a test that succeeded makes it Connected')
  const fromGrid = await session.get(runUrl, { ...HX, 'hx-current-url': 'http://acme.localhost/settings/integrations' })
  t.match(fromGrid.body, /<li id="integration-card-slack-alerts"[^>]*hx-swap-oob="true"[\s\S]*>Connected</, 'the finished run updates the card behind the modal')
  t.notMatch((await session.get(runUrl, HX)).body, 'hx-swap-oob', 'but not on a page without the grid')

  // Runs are per plugin and per workspace.
  const runId = runUrl.split('/').pop()!
  t.equal((await session.get(`/settings/integrations/slack-alerts/runs/${runId.replace(/^./, c => c === 'a' ? 'b' : 'a')}`, HX)).statusCode, 404)
  t.equal((await session.get('/settings/integrations/slack-alerts/runs/not-a-uuid', HX)).statusCode, 404)
  const other = await workspace('other')
  const [otherRun] = await app.db('integration_runs').insert({ workspace_id: other.id, plugin_id: 'slack-alerts', kind: 'test', trigger: 'manual', status: 'succeeded' }).returning('*')
  t.equal((await session.get(`/settings/integrations/slack-alerts/runs/${otherRun.id}`, HX)).statusCode, 404, 'a run of another workspace is not found')

  // Disconnect clears the settings and the card.
  const disconnected = await session.post('/settings/integrations/slack-alerts/disconnect', {}, { headers: HX })
  t.equal(disconnected.statusCode, 200)
  t.match(disconnected.body, 'Disconnected.')
  t.match(disconnected.body, /hx-swap-oob="true"[\s\S]*>Not connected</)
  t.equal(await app.integrations.settings.get(acme.id, 'slack-alerts'), undefined, 'the settings are gone')
  t.match(card((await session.get('/settings/integrations')).body, 'slack-alerts'), />Not connected</)

  // Who may, and what is not there.
  const asEmployee = await as(employee)
  t.equal((await asEmployee.get('/settings/integrations')).statusCode, 403, 'an employee is refused the grid')
  t.equal((await asEmployee.get('/settings/integrations/slack-alerts')).statusCode, 403)
  t.equal((await asEmployee.post('/settings/integrations/slack-alerts', { webhookUrl: fake.settings.webhookUrl })).statusCode, 403)
  t.equal((await asEmployee.post('/settings/integrations/slack-alerts/test', {})).statusCode, 403)
  t.equal((await asEmployee.post('/settings/integrations/slack-alerts/disconnect', {})).statusCode, 403)
  t.equal((await session.get('/settings/integrations/no-such-plugin')).statusCode, 404, 'unknown id')
  t.equal((await session.get('/settings/integrations/jira-service-management')).statusCode, 404, 'coming soon')
  t.equal((await session.post('/settings/integrations/jira-service-management', {})).statusCode, 404)
  t.equal((await session.post('/settings/integrations/slack-alerts', { webhookUrl: fake.settings.webhookUrl }, { csrf: false })).statusCode, 403, 'posts need the CSRF token')
})

t.test('no JavaScript: save redirects with a flash, test redirects to the run page', async t => {
  const { app, acme, fake, admin, as } = await setup(t)
  const session = await as(admin)
  const saved = await session.post('/settings/integrations/slack-alerts', { webhookUrl: fake.settings.webhookUrl, enabled: 'true' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, '/settings/integrations/slack-alerts')
  t.match((await session.get('/settings/integrations/slack-alerts')).body, 'Slack: saved.')
  const row = await app.integrations.settings.get(acme.id, 'slack-alerts')
  t.same(row?.settings.events, [], 'every event box unticked saves "none", not the default list')
  const test = await session.post('/settings/integrations/slack-alerts/test', {})
  t.equal(test.statusCode, 303)
  t.match(test.headers.location, /^\/settings\/integrations\/slack-alerts\/runs\/[0-9a-f-]{36}$/)
  const out = await session.post('/settings/integrations/slack-alerts/disconnect', {})
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, '/settings/integrations')
})

t.test('a failing test shows the vendor\'s reason as an alert', async t => {
  const { fake, admin, as } = await setup(t, { rejectCredentials: true })
  const session = await as(admin)
  const saved = await session.post('/settings/integrations/slack-alerts', { webhookUrl: fake.settings.webhookUrl, enabled: 'true' }, { headers: HX })
  t.equal(saved.statusCode, 200)
  const started = await session.post('/settings/integrations/slack-alerts/test', {}, { headers: HX })
  const done = await pollRun(session, started.body, 'slack-alerts')
  t.match(done, /<p class="run-status run-failed" role="alert">Test failed\. [^<]*(token|revoked|invalid)/i)
})

t.test('a plugin without card.hbs gets a form generated from its settings schema', async t => {
  const { discoverPlugins } = await import('../core/integrations/index.ts')
  const builtins = await discoverPlugins()
  const slack = builtins.find(p => p.id === 'slack-alerts')!
  const generic = {
    ...slack,
    id: 'generic-demo',
    cardTemplate: null,
    iconSvg: '<svg onload="alert(1)"></svg>',
    connector: null,
    manifest: { ...slack.manifest, id: 'generic-demo', name: 'Generic Demo', status: 'preview' as const, card: undefined, vendorScopes: undefined },
    settingsSchema: {
      type: 'object' as const,
      additionalProperties: false,
      required: ['apiKey', 'region'],
      properties: {
        baseUrl: { type: 'string', title: 'Base URL' },
        apiKey: { type: 'string', writeOnly: true, title: 'API key' },
        pageSize: { type: 'integer', minimum: 1, maximum: 500 },
        verbose: { type: 'boolean' },
        region: { type: 'string', enum: ['eu', 'us'] },
        models: { type: 'array', items: { enum: ['hardware', 'people'] } }
      }
    }
  }
  const ctx = await buildTestApp(t, {}, { plugins: [...builtins, generic] })
  const acme = await ctx.workspace('acme')
  const [admin] = await ctx.app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
  const session = await signIn(ctx.app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })

  const grid = await session.get('/settings/integrations')
  const demo = card(grid.body, 'generic-demo')
  t.match(demo, />Not connected</)
  t.match(demo, />Preview</, 'a preview connector carries the Preview badge')
  t.notMatch(demo, 'onload', 'an unsafe icon is not inlined')
  t.match(demo, 'integration-icon-placeholder')

  const form = await session.get('/settings/integrations/generic-demo', HX)
  t.match(form.body, /<input id="generic-demo-baseUrl" name="baseUrl" value=""/)
  t.match(form.body, /<input id="generic-demo-apiKey" name="apiKey" type="password"/)
  t.match(form.body, /<input id="generic-demo-pageSize" name="pageSize" type="number" step="1"/)
  t.match(form.body, /<input type="checkbox" id="generic-demo-verbose" name="verbose" value="true">/)
  t.match(form.body, /<select id="generic-demo-region" name="region"/)
  t.match(form.body, /<input type="checkbox" name="models" value="people">/)
  t.notMatch(form.body, '>Test connection</button>', 'no Test connection without a test capability')

  const bad = await session.post('/settings/integrations/generic-demo', { baseUrl: 'https://x.test', apiKey: 'sekrit-value', pageSize: 'lots', region: 'mars' }, { headers: HX })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /id="generic-demo-pageSize-error">Page Size must be a whole number\.</)
  t.match(bad.body, /id="generic-demo-region-error">Region must be one of the listed choices\.</)
  t.match(bad.body, /name="baseUrl" value="https:\/\/x\.test"/, 'typed values come back')
  t.notMatch(bad.body, 'sekrit-value', 'typed secrets do not')

  const good = await session.post('/settings/integrations/generic-demo', { apiKey: 'sekrit-value', pageSize: '50', verbose: 'true', region: 'us', models: 'people', enabled: 'true' }, { headers: HX })
  t.equal(good.statusCode, 200)
  t.match(good.body, '>Saved.</p>')
  t.match(await ctx.app.integrations.settings.get(acme.id, 'generic-demo'), { enabled: true, settings: { pageSize: 50, verbose: true, region: 'us', models: ['people'] } })
  const again = await session.get('/settings/integrations/generic-demo', HX)
  t.match(again.body, 'placeholder="saved — leave blank to keep"')
  t.match(again.body, /name="verbose" value="true" checked/)
  t.match(again.body, /<option value="us" selected>us<\/option>/)
  t.notMatch(again.body, 'sekrit-value')
})

t.test('the modal asks for the secret again when the tenant URL changes', async t => {
  const { app, admin, as, acme } = await setup(t)
  const session = await as(admin)
  const jamf = { tenantUrl: 'https://acme.jamfcloud.com', clientId: '6cabf059-21c9-44d6-bbde-02898f7430dd', clientSecret: 'the-jamf-secret', enabled: 'true' }
  t.equal((await session.post('/settings/integrations/jamf', jamf, { headers: HX })).statusCode, 200)
  const saved = await app.integrations.settings.get(acme.id, 'jamf')

  const moved = await session.post('/settings/integrations/jamf', { ...jamf, tenantUrl: 'https://evil.example.net', clientSecret: '' }, { headers: HX })
  t.equal(moved.statusCode, 422)
  t.match(moved.body, /<p class="field-error" id="jamf-client-secret-error">Client secret must be entered again: Tenant URL changed, and a saved secret is sent only where it was entered for\.<\/p>/,
    'an inline error on the secret, naming the setting that moved')
  t.match(moved.body, 'value="https://evil.example.net"', 'what was typed stays')
  t.same(await app.integrations.settings.get(acme.id, 'jamf'), saved, 'nothing was stored: the secret did not follow the new URL')
  const asPage = await session.post('/settings/integrations/jamf', { ...jamf, tenantUrl: 'https://evil.example.net', clientSecret: '' })
  t.equal(asPage.statusCode, 422, 'without htmx too')
  t.match(asPage.body, 'Client secret must be entered again')

  const same = await session.post('/settings/integrations/jamf', { ...jamf, clientSecret: '' }, { headers: HX })
  t.equal(same.statusCode, 200, 'the same tenant URL: a blank secret keeps the saved one')
  t.equal((await app.integrations.settings.resolve(acme.id, app.integrations.plugin('jamf')!)).clientSecret, 'the-jamf-secret')
  const again = await session.post('/settings/integrations/jamf', { ...jamf, tenantUrl: 'https://acme2.jamfcloud.com', clientSecret: 'a-new-secret' }, { headers: HX })
  t.equal(again.statusCode, 200, 'with the secret entered again the new URL is saved')
  t.match(await app.integrations.settings.resolve(acme.id, app.integrations.plugin('jamf')!), { tenantUrl: 'https://acme2.jamfcloud.com', clientSecret: 'a-new-secret' })
})
