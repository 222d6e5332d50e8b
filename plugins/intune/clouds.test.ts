// The national clouds the settings form offers are the Microsoft plugins' shared list, global first
// and the default.
import t from 'tap'
import settingsSchema from './settings.schema.json' with { type: 'json' }
import { DEFAULT_GRAPH_HOST, DEFAULT_LOGIN_HOST, GRAPH_HOSTS, LOGIN_HOSTS, MICROSOFT_CLOUDS } from '../_shared/microsoft/clouds.ts'

t.test('the sign-in and Graph hosts offered are those of plugins/_shared/microsoft/clouds.ts', async t => {
  const { loginHost, graphHost } = settingsSchema.properties
  t.same(loginHost.oneOf.map(o => o.const), LOGIN_HOSTS)
  t.same(graphHost.oneOf.map(o => o.const), GRAPH_HOSTS)
  t.same([loginHost.default, graphHost.default], [DEFAULT_LOGIN_HOST, DEFAULT_GRAPH_HOST])
  for (const cloud of MICROSOFT_CLOUDS) {
    t.ok(graphHost.oneOf.some(o => o.const === cloud.graphHost && o.title.includes(cloud.name)), `${cloud.graphHost} is offered as ${cloud.name}`)
  }
})
