// app.mail.send end to end: the real app and its pg-boss worker, Email (SMTP) connected to a real
// smtp-server on loopback. Checked, logged, queued sealed; sent with a PDF intact; a refused
// recipient failed at once; a relay that drops the connection retried, then failed; and "no email
// connected" said to the caller.
import { createHash } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'
import { systemActor } from '../core/audit/index.ts'
import { allowPrivateHosts, removePrivateHosts } from '../core/integrations/private-hosts.ts'
import { MailNotConnectedError } from '../core/mail/index.ts'
import { ValidationError } from '../core/sdk.ts'
import { startDroppingRelay, startFake } from '../plugins/smtp/fake.ts'

const { app, workspace } = await buildTestApp(t, {}, { mailTuning: { retryLimit: 2, retryDelaySeconds: 1 } })
const acme = await workspace('acme')
const globex = await workspace('globex')
const smtp = app.integrations.plugin('smtp')!
const fake = await startFake()
t.teardown(fake.close)

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.from('trailer << >>\n%%EOF\n')])
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const message = { to: ['pat@acme.test'], subject: 'Your new laptop', text: 'Collect it at the desk — code 481516.', attachments: [{ filename: 'agreement.pdf', contentType: 'application/pdf', content: pdf }] }
const settled = async (workspaceId: string, id: string) => await until(async () => {
  const entry = await app.mail.entry(workspaceId, id)
  return entry?.status !== 'queued' && entry
}, 45_000)

t.test('no email connected: the caller is told, nothing is queued', async t => {
  await t.rejects(app.mail.send(acme.id, message, { kind: 'test' }), MailNotConnectedError)
  await t.rejects(app.mail.send(acme.id, message, { kind: 'test' }), { code: 'mail_not_connected', message: /No email is connected/ })
  t.same(await app.mail.latest(acme.id), [])
})

t.test('connected: sent through the relay, logged sent with its Message-ID, the PDF intact, no body at rest', async t => {
  await allowPrivateHosts(app.db, acme.id, systemActor, ['localhost'])
  const saved = await app.integrations.settings.save(acme.id, systemActor, smtp, fake.settings, { enabled: true })
  t.match(saved, { ok: true })
  const before = fake.peer.messages.length
  const { id } = await app.mail.send(acme.id, message, { kind: 'test' })
  const jobs = await app.db.raw("SELECT data::text AS data FROM pgboss.job WHERE name = 'mail.send'")
  t.notMatch(jobs.rows.map((r: { data: string }) => r.data).join('\n'), /481516|Collect it/, 'the queued job holds the message sealed')
  const entry = await settled(acme.id, id)
  t.match(entry, { status: 'sent', attempts: 1, kind: 'test', to: ['pat@acme.test'], subject: 'Your new laptop', pluginId: 'smtp', lastError: null })
  const mail = fake.peer.messages[before]
  t.equal(mail.messageId, entry.messageId, 'the log has the Message-ID the relay got')
  t.equal(sha(mail.attachments[0].content), sha(pdf), 'the PDF arrived byte for byte')
  t.match(mail.text, /code 481516/)
  const columns = Object.keys((await app.db('mail_messages').where({ id }).first()) as object)
  t.notOk(columns.some(c => /body|text|html|attachment/.test(c)), 'the log has no column for a body')
  t.same(await app.mail.entry(globex.id, id), undefined, 'another workspace does not see it')
})

t.test('queued in the caller\'s transaction: sent if it commits, never if it rolls back', async t => {
  const committed = await app.db.transaction(async trx => await app.mail.send(acme.id, { ...message, subject: 'Committed' }, { kind: 'test', trx }))
  await t.rejects(app.db.transaction(async trx => {
    await app.mail.send(acme.id, { ...message, subject: 'Rolled back' }, { kind: 'test', trx })
    throw new Error('the caller changed its mind')
  }), /changed its mind/)
  t.match(await settled(acme.id, committed.id), { status: 'sent', subject: 'Committed' })
  t.notOk((await app.mail.latest(acme.id, 100)).some(m => m.subject === 'Rolled back'), 'no log row')
  t.notOk(fake.peer.messages.some(m => m.subject === 'Rolled back'), 'and nothing sent')
})

t.test('the SMTP server is where the password goes: a changed host needs the password again', async t => {
  const { password: _password, ...withoutPassword } = fake.settings
  const moved = await app.integrations.settings.save(acme.id, systemActor, smtp, { ...withoutPassword, host: '127.0.0.1' }, { enabled: true })
  t.match(moved, { ok: false, errors: [{ field: 'password', message: /must be entered again: SMTP server changed/ }] })
  t.equal((await app.integrations.settings.resolve(acme.id, smtp)).host, 'localhost', 'nothing saved')
})

t.test('a bad message is refused before anything is queued, naming each field and rule', async t => {
  const count = (await app.mail.latest(acme.id, 100)).length
  const err = await app.mail.send(acme.id, { to: [], subject: 'two\nlines', text: '' }, { kind: 'test' }).catch((e: unknown) => e)
  t.ok(err instanceof ValidationError)
  t.match((err as ValidationError).errors, [{ field: 'to', rule: 'minItems' }, { field: 'subject', rule: 'pattern', message: 'must be one line (no line breaks)' }, { field: 'text', rule: 'required' }])
  const attachment = await app.mail.send(acme.id, { ...message, attachments: [{ filename: 'a.pdf', contentType: 'PDF', content: 'not base64!' }] }, { kind: 'test' }).catch((e: unknown) => e)
  t.match((attachment as ValidationError).errors, [
    { field: 'attachments.0.contentType', message: 'must be a media type such as application/pdf' },
    { field: 'attachments.0.content', message: 'must be the file as base64 (or a Buffer)' }
  ])
  t.equal((await app.mail.latest(acme.id, 100)).length, count)
})

t.test('a refused recipient fails at once (no retry), with the relay\'s 550 in the log', async t => {
  const { id } = await app.mail.send(acme.id, { ...message, to: ['ghost@refused.test'] }, { kind: 'notification' })
  t.match(await settled(acme.id, id), { status: 'failed', attempts: 1, lastError: /refused the message for ghost@refused\.test \(550\)/, messageId: null })
})

t.test('a relay that drops the connection: retried with backoff, then failed in the log', async t => {
  const relay = await startDroppingRelay()
  t.teardown(relay.close)
  t.match(await app.integrations.settings.save(acme.id, systemActor, smtp, { ...fake.settings, port: relay.port }, { enabled: true }), { ok: true })
  const { id } = await app.mail.send(acme.id, message, { kind: 'notification' })
  const first = await until(async () => {
    const entry = await app.mail.entry(acme.id, id)
    return entry?.attempts === 1 && entry.lastError !== null && entry
  })
  t.match(first, { status: 'queued', lastError: /Could not reach localhost/ }, 'queued again after the first drop')
  t.match(await settled(acme.id, id), { status: 'failed', attempts: 3, lastError: /Could not reach localhost/ })
  t.equal(relay.connections(), 3, 'the first attempt and two retries')
  t.equal((await app.mail.latest(acme.id, 1))[0].id, id, 'the latest message first')
})

t.test('a password the server refuses (535): failed at once, the card marked "Needs attention" until a message goes through', async t => {
  t.match(await app.integrations.settings.save(acme.id, systemActor, smtp, { ...fake.settings, password: 'not the password' }, { enabled: true }), { ok: true })
  const { id } = await app.mail.send(acme.id, message, { kind: 'notification' })
  t.match(await settled(acme.id, id), { status: 'failed', attempts: 1, lastError: /^localhost refused the username or password\. The server said: 535/ })
  const card = (await app.integrations.cards(acme.id)).find(c => c.plugin.id === 'smtp')
  t.match(card?.state, { kind: 'needs-attention', reason: /refused the username or password/ })
  t.match(await app.integrations.settings.save(acme.id, systemActor, smtp, fake.settings, { enabled: true }), { ok: true })
  const again = await app.mail.send(acme.id, message, { kind: 'notification' })
  t.match(await settled(acme.id, again.id), { status: 'sent' })
  t.notMatch((await app.integrations.cards(acme.id)).find(c => c.plugin.id === 'smtp')?.state, { kind: 'needs-attention' })
})

t.test('a loopback server the operator did not allow: failed at once, with the command that allows it', async t => {
  t.match(await app.integrations.settings.save(acme.id, systemActor, smtp, fake.settings, { enabled: true }), { ok: true })
  await removePrivateHosts(app.db, acme.id, systemActor, ['localhost'])
  const { id } = await app.mail.send(acme.id, message, { kind: 'notification' })
  t.match(await settled(acme.id, id), { status: 'failed', attempts: 1, lastError: /localhost resolves to .*, a loopback address.*allow-private-host --workspace acme localhost/ })
})
