// Email (SMTP) against a real SMTP server on loopback (smtp-server + mailparser): STARTTLS with the
// server's self-signed certificate pinned as the custom CA, AUTH, 535, 550, implicit TLS, a PDF
// attachment byte for byte, and the egress rules of ctx.net.
import { createHash } from 'node:crypto'
import t from 'tap'
import { ConnectorError, type EmailMessage } from '../../core/sdk.ts'
import { createTestContext } from '../../core/sdk/testing.ts'
import { localhostCertificate, SMTP_PASSWORD, SMTP_USER, startSmtpPeer, type SmtpPeer } from './fake.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import connector from './index.ts'
import type { SmtpSettings } from './transport.ts'

const tls = await localhostCertificate()
const peer: SmtpPeer = await startSmtpPeer(tls)
t.teardown(peer.close)

function context (overrides: Partial<SmtpSettings> = {}, allowPrivateHosts: string[] = ['localhost']) {
  return createTestContext<SmtpSettings>({
    manifest,
    settingsSchema,
    settings: { host: 'localhost', port: peer.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD, fromAddress: 'it@acme.test', fromName: 'Acme IT', caPem: peer.certificate, ...overrides },
    http: { allowPrivateHosts }
  })
}

// A minimal PDF with bytes above 0x7f, so a 7-bit or text mangling would show.
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')])
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

const message: EmailMessage = {
  to: ['pat@acme.test'],
  cc: ['lee@acme.test'],
  subject: 'Transfer agreement ASSET-000042',
  text: 'Please sign the attached agreement — thank you.',
  html: '<p>Please sign the attached agreement — thank you.</p>',
  attachments: [{ filename: 'agreement.pdf', contentType: 'application/pdf', content: pdf }]
}

t.test('STARTTLS to a server whose self-signed certificate is pinned, signed in, a PDF arriving intact', async t => {
  const before = peer.messages.length
  const { messageId } = await connector.email!.send(context(), message)
  const mail = peer.messages[before]
  t.equal(mail.messageId, messageId, 'the relay got the message the connector reported')
  t.match(mail.from?.value, [{ address: 'it@acme.test', name: 'Acme IT' }])
  t.equal(mail.subject, message.subject)
  t.equal(mail.text?.trim(), message.text)
  t.match(mail.html, /Please sign the attached agreement — thank you\./)
  t.match(mail.cc, { value: [{ address: 'lee@acme.test' }] })
  t.equal(mail.attachments.length, 1)
  t.equal(mail.attachments[0].filename, 'agreement.pdf')
  t.equal(mail.attachments[0].contentType, 'application/pdf')
  t.equal(sha(mail.attachments[0].content), sha(pdf), 'the PDF arrived byte for byte')
  t.match(peer.logins.at(-1), { username: SMTP_USER, ok: true })
})

t.test('base64 attachment content and the reply-to setting', async t => {
  const before = peer.messages.length
  await connector.email!.send(context({ replyTo: 'desk@acme.test' }), { ...message, cc: undefined, attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: pdf.toString('base64') }] })
  const mail = peer.messages[before]
  t.equal(sha(mail.attachments[0].content), sha(pdf))
  t.match(mail.replyTo, { value: [{ address: 'desk@acme.test' }] })
})

t.test('Test connection connects, negotiates TLS and signs in without sending anything', async t => {
  const before = peer.messages.length
  t.same(await connector.test!(context()), { ok: true, message: `Connected to localhost over TLS and signed in as ${SMTP_USER}.` })
  t.equal(peer.messages.length, before, 'nothing was sent')
})

t.test('a wrong password is the server\'s 535, an auth failure naming the host', async t => {
  const result = await connector.test!(context({ password: 'wrong' }))
  t.match(result, { ok: false, reason: 'auth', message: /^localhost refused the username or password\. The server said: 535/ })
  t.notMatch(JSON.stringify(result), /wrong/, 'the password is not repeated')
  const err = await connector.email!.send(context({ password: 'wrong' }), message).catch((e: unknown) => e)
  t.ok(err instanceof ConnectorError)
  t.match(err, { reason: 'auth' })
})

t.test('without the pinned CA the certificate is refused (no way to ignore it)', async t => {
  const logins = peer.logins.length
  const result = await connector.test!(context({ caPem: undefined }))
  t.match(result, { ok: false, reason: 'config', message: /TLS connection to localhost failed: .*self[- ]signed.*Custom CA certificate/ })
  t.equal(peer.logins.length, logins, 'no password was sent over the refused connection')
})

t.test('a certificate pinned for another server is refused too', async t => {
  const other = await localhostCertificate()
  t.match(await connector.test!(context({ caPem: other.cert })), { ok: false, reason: 'config', message: /TLS connection/ })
})

t.test('a refused recipient is a config failure naming the address and the 550', async t => {
  const err = await connector.email!.send(context(), { ...message, to: ['ghost@refused.test'] }).catch((e: unknown) => e)
  t.ok(err instanceof ConnectorError)
  t.match(err, { reason: 'config', message: /refused the message for ghost@refused\.test \(550\)/ })
})

t.test('one refused recipient among accepted ones fails the message', async t => {
  const err = await connector.email!.send(context(), { ...message, to: ['pat@acme.test', 'ghost@refused.test'] }).catch((e: unknown) => e)
  t.match(err, { reason: 'config', message: /ghost@refused\.test/ })
})

t.test('implicit TLS (port 465 style)', async t => {
  const implicit = await startSmtpPeer({ ...tls, secure: true })
  t.teardown(implicit.close)
  t.match(await connector.test!(context({ port: implicit.port, security: 'tls' })), { ok: true })
})

t.test('egress: a loopback host is refused unless the operator allowed it', async t => {
  const result = await connector.test!(context({}, []))
  t.match(result, { ok: false, reason: 'config', message: /Stocktake did not connect: localhost resolves to .*allow-private-host --workspace acme localhost/ })
})

t.test('settings: security None only for a loopback host; a password needs a username', async t => {
  t.throws(() => context({ security: 'none', host: 'smtp.example.com' }), /host must be localhost, 127\.0\.0\.1 or ::1 when Security is None/)
  t.throws(() => context({ username: undefined }), /username/)
  t.throws(() => context({ caPem: 'not a certificate' }), /must be a PEM certificate/)
})

t.test('security None reaches a loopback relay in plain text; signing in over it is refused by the server (538)', async t => {
  const relay = await startSmtpPeer({ ...tls, authOptional: true })
  t.teardown(relay.close)
  const plain = { port: relay.port, security: 'none' as const, username: undefined, password: undefined, caPem: undefined }
  await connector.email!.send(context(plain), { ...message, attachments: undefined })
  t.equal(relay.messages.length, 1, 'sent without TLS to the relay on this machine')
  t.match(await connector.email!.send(context({ ...plain, port: peer.port }), message).catch((e: unknown) => e), { reason: 'auth', message: /localhost asks for a sign-in: enter a username and password\. The server said: 530/ })
  t.match(await connector.test!(context({ security: 'none' })), { ok: false, reason: 'config', message: /asks for encryption before sign-in: choose STARTTLS or implicit TLS/ })
})
