// A connector's log never prints the values of its secret settings, wherever they appear in a line.
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import t from 'tap'
import { REDACTED, redactingLogger } from '../core/integrations/redacting-log.ts'
import { createTestContext } from '../core/sdk.ts'

const SECRET = 'kJ8#s3cr3t-client-value'
const TOKEN = 'xoxb-000-token'

function realLogger () {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const app = Fastify({ logger: { level: 'debug', stream } })
  return { log: app.log.child({ plugin: 'demo' }), lines }
}

t.test('by value: in the message, in fields at any depth, in an error, in a URL', async t => {
  const { log, lines } = realLogger()
  const redacted = redactingLogger(log, [SECRET, TOKEN, 'ab', 42, undefined])
  redacted.info({ settings: { clientId: 'public-id', clientSecret: SECRET } }, `connecting with ${SECRET}`)
  redacted.warn({ attempts: [{ url: new URL(`https://vendor.example/api?token=${TOKEN}`) }] }, 'retrying')
  redacted.error({ err: new Error(`401: key ${SECRET} refused`) }, 'refused')
  redacted.debug('a plain message')
  const all = lines.join('')
  t.notMatch(all, SECRET, 'the client secret appears nowhere')
  t.notMatch(all, TOKEN, 'the token appears nowhere')
  t.match(all, 'public-id', 'what is not secret stays')
  t.match(all, `connecting with ${REDACTED}`)
  t.match(all, `401: key ${REDACTED} refused`, 'an error keeps its words')
  t.match(all, /"stack":"Error: 401: key \[redacted\] refused/, 'and its stack, redacted')
  t.match(all, 'a plain message')
  t.equal(lines.length, 4)
})

t.test('values too short to be secrets are not blanked out of every line', async t => {
  const { log, lines } = realLogger()
  redactingLogger(log, ['on', '']).info({ state: 'on' }, 'switched on')
  t.match(lines.join(''), 'switched on')
})

t.test("a connector's test context redacts as the platform does", async t => {
  const { log, lines } = realLogger()
  const ctx = createTestContext({
    manifest: { allowedHosts: [] },
    settings: { clientId: 'public-id', clientSecret: SECRET },
    settingsSchema: { type: 'object', properties: { clientId: { type: 'string' }, clientSecret: { type: 'string', writeOnly: true } } },
    log
  })
  ctx.log.info({ settings: ctx.settings }, 'settings')
  t.notMatch(lines.join(''), SECRET)
  t.match(lines.join(''), 'public-id')
})
