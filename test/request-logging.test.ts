import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient } from './helpers/api.ts'

// Per-request log lines: one at info for every answered request, and none at info for a flood of
// rate-limited ones (20 s of 429s had written 63 MB at info). Read from the logger's own stream.

const lines: string[] = []
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_API_RATE_LIMIT: '5' }, {
  logger: { level: 'debug', stream: { write: (line: string) => { lines.push(line) } } }
})
const acme = await workspace('acme')

t.test('a flood of 429s is logged at debug; other requests keep their line at info', async t => {
  const api = await apiClient(app, acme.id)
  lines.length = 0
  for (let i = 0; i < 5; i++) t.equal((await api.call('GET', '/api/hardware?limit=1')).statusCode, 200)
  const answered = lines.map(line => JSON.parse(line))
  const completed = answered.filter(l => l.msg === 'request completed' && l.level === 30)
  t.equal(completed.length, 5, 'one info line for each answered request')
  t.match(completed[0], { req: { method: 'GET', url: '/api/hardware?limit=1' }, res: { statusCode: 200 }, responseTime: Number })

  lines.length = 0
  const burst = 200
  for (let i = 0; i < burst; i++) t.equal((await api.call('GET', '/api/hardware?limit=1')).statusCode, 429)
  const logged = lines.map(line => JSON.parse(line))
  const atInfo = logged.filter(l => l.level >= 30)
  t.same(atInfo.map(l => l.msg), [], `nothing at info or above for ${burst} rate-limited requests`)
  t.equal(logged.filter(l => l.level === 20 && l.res?.statusCode === 429).length, burst, 'each one at debug')
  t.comment(`${burst} answers of 429: ${lines.join('').length} bytes at debug, 0 at info`)
})
