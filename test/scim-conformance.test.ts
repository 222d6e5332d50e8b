// Microsoft's SCIM Postman collection (AzureAD/SCIMReferenceCode, MIT: test/conformance/scim-microsoft), run with
// newman against a fresh workspace over real HTTP: every assertion it makes is one test here.
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import newman, { type NewmanRunSummary } from 'newman'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'

const COLLECTION = fileURLToPath(new URL('./conformance/scim-microsoft/PostmanCollection.json', import.meta.url))

const { app, workspace } = await buildTestApp(t)
const { secret } = await app.scimTokens.create((await workspace('conformance')).id, systemActor, { name: 'Microsoft collection' })
await app.listen({ host: '127.0.0.1', port: 0 })
const { port } = app.server.address() as AddressInfo

const collection = JSON.parse(await readFile(COLLECTION, 'utf8'))
// "Get Token" asks a /Token endpoint of Microsoft's reference server and overwrites the token (notes/scim.md §3.1).
collection.item = collection.item.filter((item: { name: string }) => item.name !== 'Get Token')

const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
  newman.run({
    collection,
    envVar: [
      { key: 'Protocol', value: 'http' }, { key: 'Server', value: '127.0.0.1' }, { key: 'Port', value: `:${port}` },
      { key: 'Api', value: 'scim/v2' }, { key: 'token', value: secret }
    ],
    reporters: []
  }, (err, result) => (err ? reject(err) : resolve(result)))
})

t.ok(summary.run.executions.length >= 76, `${summary.run.executions.length} requests ran`)
for (const execution of summary.run.executions) {
  const name = execution.item.name
  const requestError = (execution as { requestError?: Error }).requestError
  if (requestError) t.fail(`${name}: ${requestError.message}`)
  for (const assertion of execution.assertions ?? []) {
    t.notOk(assertion.error, `${name}: ${assertion.assertion}`, assertion.error ? { message: assertion.error.message, status: execution.response?.code, body: execution.response?.stream?.toString().slice(0, 400) } : {})
  }
}
