// The Email card: "Send a test email to <me>" goes to the admin who clicked, through the mail
// service, and the latest messages are listed with their status; offered only once enabled.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { decodeHtml } from './helpers/html-text.ts'
import { signIn } from './helpers/session.ts'
import { until } from './helpers/wait.ts'
import { systemActor } from '../core/audit/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { startFake } from '../plugins/smtp/fake.ts'

const HX = { 'hx-request': 'true' }
/** What a page says: tags dropped, references decoded, white space collapsed. */
const htmlText = (html: string): string => decodeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ')
const { app, workspace } = await buildTestApp(t, {}, { mailTuning: { retryLimit: 0, retryDelaySeconds: 1 } })
const acme = await workspace('acme')
const fake = await startFake()
t.teardown(fake.close)
const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin', first_name: 'Adam' }).returning(['id'])
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
const smtp = app.integrations.plugin('smtp')!

t.test('before it is enabled: no send button, and the log is empty', async t => {
  const form = await session.get('/settings/integrations/smtp', HX)
  t.equal(form.statusCode, 200)
  t.notMatch(form.body, /id="integration-test-email-smtp"/)
  t.match(htmlText(form.body), /Save the settings with Enabled ticked to send a test email to yourself \(adam@acme\.test\)/)
  t.match(htmlText(form.body), /No email sent yet\./)
})

t.test('the test email goes to the admin who clicked, and the log shows it sent', async t => {
  await allowPrivateHosts(app.db, acme.id, systemActor, ['localhost'])
  t.match(await app.integrations.settings.save(acme.id, systemActor, smtp, fake.settings, { enabled: true }), { ok: true })
  const form = await session.get('/settings/integrations/smtp', HX)
  t.match(form.body, /Send a test email to adam@acme\.test/)
  const sent = await session.post('/settings/integrations/smtp/test-email', {}, { headers: HX })
  t.equal(sent.statusCode, 200)
  t.match(htmlText(sent.body), /Test email queued to adam@acme\.test: it shows below as sent or failed\./)
  const mail = await until(() => fake.peer.messages.find(m => m.subject === 'Stocktake test email'))
  t.match(mail.to, { value: [{ address: 'adam@acme.test' }] })
  t.match(mail.text, /sent through Email \(SMTP\) because you asked for one/)
  const after = await until(async () => {
    const page = await session.get('/settings/integrations/smtp', HX)
    return /badge-success">Sent</.test(page.body) && page.body
  })
  t.match(htmlText(after), /Stocktake test email to adam@acme\.test · test Sent 1 attempt/)
})

t.test('a failure shows in the log with the server\'s words', async t => {
  await app.mail.send(acme.id, { to: ['ghost@refused.test'], subject: 'Agreement', text: 'x' }, { kind: 'agreement' })
  const after = await until(async () => {
    const page = await session.get('/settings/integrations/smtp', HX)
    return /badge-failure">Failed</.test(page.body) && page.body
  })
  t.match(htmlText(after), /Agreement to ghost@refused\.test · agreement Failed 1 attempt localhost refused the message for ghost@refused\.test \(550\)/)
})
