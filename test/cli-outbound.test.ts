// The command line's part of outbound trust, as real processes: `integration set` refuses to keep
// a secret when the destination changes, and `allow-private-host` keeps the operator's allowlist.
import t from 'tap'
import { cliWithDataDir } from './helpers/process.ts'

t.test('a changed destination needs the secrets again; the operator allows private hosts per workspace', async t => {
  const { cli } = await cliWithDataDir(t, 'stocktake-cli-')
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'admin@acme.test'])).code, 0)
  const jamf = ['integration', 'set', 'jamf', '--workspace', 'acme', 'clientId=6cabf059-21c9-44d6-bbde-02898f7430dd']
  t.equal((await cli([...jamf, 'tenantUrl=https://acme.jamfcloud.com', 'clientSecret=first-secret'])).code, 0)
  const moved = await cli([...jamf, 'tenantUrl=https://evil.example.net'])
  t.equal(moved.code, 1, 'a new tenant URL without the secret is refused')
  t.match(moved.output, /clientSecret: must be entered again: Tenant URL changed, and a saved secret is sent only where it was entered for \(reenter\)/)

  const allowed = await cli(['allow-private-host', '--workspace', 'acme', 'Jamf.Corp.Example.', '10.0.0.5', '[::1]'])
  t.equal(allowed.code, 0, allowed.output)
  t.match(allowed.output, /Allowed for the integrations of "acme": jamf\.corp\.example, 10\.0\.0\.5, ::1\./)
  t.match(allowed.output, /may reach on private addresses: 10\.0\.0\.5, ::1, jamf\.corp\.example/)
  const removed = await cli(['allow-private-host', '--workspace', 'acme', '--remove', '::1'])
  t.equal(removed.code, 0, removed.output)
  t.match(removed.output, /Removed for the integrations of "acme": ::1\.[\s\S]*private addresses: 10\.0\.0\.5, jamf\.corp\.example/)
  const bad = await cli(['allow-private-host', '--workspace', 'acme', 'https://jamf.corp:8443'])
  t.equal(bad.code, 2)
  t.match(bad.output, /"https:\/\/jamf\.corp:8443" is not a host: give a name such as jamf\.corp\.example or an IP address, without scheme, port or path/)
})
