import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { oktaMetadata, testCertificate } from './helpers/saml-metadata.ts'

const SCREENSHOTS = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'

t.test('a super admin adds Okta from its metadata on the SAML page and sees it listed with what to give Okta', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const owner = await grantAdminAccess(app, 'acme', 'owner@acme.test', 'super-admin')
  const metadata = oktaMetadata(await testCertificate('okta'))

  const page = await (await launchBrowser(t.teardown)).newPage()
  await page.goto(`${origin}${new URL(owner.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`${origin}/settings/integrations/saml`)
  await page.getByRole('heading', { name: 'SAML 2.0 SSO', level: 1 }).waitFor()
  t.ok(await page.getByText('No identity providers yet.').isVisible())

  const add = page.getByRole('region', { name: 'Add an identity provider' })
  await add.getByLabel('Display name').fill('Okta')
  await add.getByRole('button', { name: 'Add identity provider' }).click()
  await page.locator('.field-error', { hasText: 'Metadata XML is required' }).waitFor()
  t.equal(await add.getByLabel('Metadata XML', { exact: true }).getAttribute('aria-invalid'), 'true', 'the field is marked invalid')
  t.equal(await add.getByLabel('Display name').inputValue(), 'Okta', 'what was typed stays')
  await page.screenshot({ path: `${SCREENSHOTS}/saml-page-error.png`, fullPage: true })

  await add.getByLabel('Or read it from a file').setInputFiles({ name: 'okta-metadata.xml', mimeType: 'application/xml', buffer: Buffer.from(metadata) })
  await page.waitForFunction(() => (document.getElementById('new-metadata_xml') as HTMLTextAreaElement).value.includes('EntityDescriptor'))
  t.equal(await add.getByLabel('Metadata XML', { exact: true }).inputValue(), metadata, 'the chosen file\'s text is in the box, to be posted')
  await add.getByLabel('Group attribute').fill('groups')
  await add.getByLabel('Group value 1').fill('Stocktake Admins')
  await add.getByLabel('Role for group 1').selectOption({ label: 'Admin' })
  await add.getByRole('button', { name: 'Add identity provider' }).click()
  await page.getByText('Added “Okta”.').waitFor()

  const row = page.getByRole('row', { name: /Okta/ })
  t.ok(await row.getByText('Enabled').isVisible())
  t.ok(await row.getByText('http://www.okta.com/exk1fcia6d6EMsf8i0h8').isVisible())
  const okta = page.getByRole('region', { name: 'Okta' })
  t.match(await okta.getByLabel('Service provider metadata').inputValue(), /<AssertionConsumerService [^>]*Location="http:\/\/acme\.localhost:\d+\/sign-in\/sso\/saml\/okta\/callback"/)
  t.equal(await okta.getByRole('link', { name: 'download stocktake-okta-metadata.xml' }).getAttribute('download'), 'stocktake-okta-metadata.xml')
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  await okta.getByRole('button', { name: 'Copy the ACS URL' }).click()
  t.equal(await page.evaluate(async () => await navigator.clipboard.readText()), await okta.getByLabel(/^ACS URL/).inputValue(), 'the ACS URL is on the clipboard')
  await okta.getByText('Step by step in Okta').click()
  t.ok(await okta.getByText('Audience URI (SP Entity ID)').isVisible(), 'the Okta steps open')
  t.equal((await app.db('integrations').where({ plugin_id: 'saml' }).first()).badge_count, 1)
  await page.screenshot({ path: `${SCREENSHOTS}/saml-page.png`, fullPage: true })
})
