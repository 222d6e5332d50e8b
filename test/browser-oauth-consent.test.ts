// In a browser: Connect with <Vendor> on a card → the vendor's consent (a real authorization
// server, oidc-provider, reached as https://idp.example through request interception) → back on
// the integrations grid with the card Connected.
import { createServer } from 'node:net'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request as undiciRequest } from 'undici'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { CLIENT_ID, CLIENT_SECRET, playConsent, startOAuthPeer } from './helpers/oauth-peer.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

t.test('Connect → consent at the vendor → back on the card, connected', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const [plugin] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/consent-plugin/', import.meta.url))] })
  const port = await freePort()
  const peer = await startOAuthPeer([`http://acme.localhost:${port}/settings/integrations/oauth/callback`])
  t.teardown(peer.close)
  const { app } = await buildTestApp(t, { STOCKTAKE_BASE_URL: `http://localhost:${port}` }, { plugins: [plugin], httpDispatcher: peer.dispatcher })
  await app.listen({ port, host: '127.0.0.1' })
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  await app.integrations.settings.save(access.workspace.id, systemActor, plugin, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { enabled: true })

  const browser = await launchBrowser(t.teardown, { viewport: { width: 1280, height: 720 } })
  const page = await browser.newPage()
  // The vendor's pages: Chromium cannot reach https://idp.example (the peer speaks plain HTTP on
  // loopback, and Playwright does not route the targets of redirects), so the Connect click's own
  // answer — the app's 303 to the consent page — is taken here, the consent is played at the peer
  // with a cookie jar (the peer has no login form), and the browser is sent on to where the vendor
  // sends it back: the app's callback, which it opens with its own session.
  const consented: string[] = []
  await page.route(/\/settings\/integrations\/consent-vendor\/connect$/, async route => {
    const res = await undiciRequest(`http://127.0.0.1:${port}${new URL(route.request().url()).pathname}`, {
      headers: { ...await route.request().allHeaders(), host: `acme.localhost:${port}` }
    })
    const authorize = String(res.headers.location)
    consented.push(authorize)
    const back = await playConsent(peer, authorize)
    await route.fulfill({ status: 303, headers: { location: back.href }, body: '' })
  })
  const failures: string[] = []
  page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failures.push(`${response.status()} ${response.url()}`) })

  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`http://acme.localhost:${port}/settings/integrations`)
  const card = page.locator('#integration-card-consent-vendor')
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Not connected')
  await card.screenshot({ path: `${shots}/oauth-consent-card-before.png` })
  await card.getByRole('link', { name: 'Connect with Consent Vendor' }).click()
  await page.waitForURL(`http://acme.localhost:${port}/settings/integrations`)
  await page.getByText('Consent Vendor: connected.').waitFor()
  t.match(consented, [/^https:\/\/idp\.example\/auth\?/], 'Connect sent the browser to the vendor\'s consent page')
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Connected', 'back on the card: Connected')
  t.equal(await card.getByRole('link', { name: /Connect with|Reconnect/ }).count(), 0, 'no Connect button once connected')
  await card.screenshot({ path: `${shots}/oauth-consent-card.png` })
  await page.screenshot({ path: `${shots}/oauth-consent-grid.png` })

  await page.getByRole('link', { name: 'Consent Vendor', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Consent Vendor' })
  await dialog.waitFor()
  await dialog.getByText('Connected: Consent Vendor gave Stocktake access.').waitFor()
  t.equal(await dialog.getByLabel('Redirect URI to register with the vendor').inputValue(), `http://acme.localhost:${port}/settings/integrations/oauth/callback`)
  await page.screenshot({ path: `${shots}/oauth-consent-dialog.png` })
  await dialog.getByRole('button', { name: 'Close' }).click()

  // The vendor forgets the grant: the next refresh is refused, and the card offers Reconnect.
  const ws = access.workspace
  await (await peer.provider.RefreshToken.find(peer.issued.refresh.at(-1) as string))?.destroy()
  await app.db('integration_oauth_tokens').where({ workspace_id: ws.id }).update({ expires_at: app.db.raw("now() - interval '1 minute'") })
  await t.rejects((await app.integrations.contextFor('consent-vendor', ws.id)).http.request({ url: 'https://api.example/me' }), { name: 'ConnectorError' })
  await page.reload()
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Needs attention')
  await card.screenshot({ path: `${shots}/oauth-consent-card-reconnect.png` })
  await card.getByRole('link', { name: 'Reconnect' }).click()
  await page.getByText('Consent Vendor: connected.').waitFor()
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Connected', 'Reconnect gave consent again')
  t.equal(consented.length, 2)
  t.same(failures, [], 'no failed request on the way')
})
