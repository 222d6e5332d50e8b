// The manifest's oauth2 block with grant authorization_code: its rules (authorizeUrl required,
// consent fields only with that grant, the core's own authorize parameters refused, auth
// matching the grant), its placeholders (authorizeParams included; where credentials go) and its
// resolution for a workspace's settings.
import t from 'tap'
import { destinationSettings, manifestProblems, oauth2SettingsProblems, resolveOAuth2 } from '../core/integrations/manifest.ts'
import type { SettingsSchema } from '../core/integrations/settings-validation.ts'
import { authorizationUrl, pkcePair } from '../core/integrations/http/oauth2-consent.ts'
import { createHash } from 'node:crypto'
import { ConnectorError, createTestContext } from '../core/sdk.ts'

const CONSENT = {
  grant: 'authorization_code',
  authorizeUrl: 'https://{{site}}/oauth/authorize',
  tokenUrl: 'https://{{site}}/oauth/token',
  revocationUrl: 'https://{{site}}/oauth/revoke',
  clientId: '{{clientId}}',
  clientSecret: '{{clientSecret}}',
  scope: 'users:read offline_access',
  authorizeParams: { prompt: 'consent', audience: '{{audience}}' }
}

const MANIFEST = {
  id: 'acme-hr',
  name: 'Acme HR',
  version: '1.0.0',
  contract: 1,
  categories: ['hris'],
  status: 'coming-soon',
  description: 'People from Acme HR.',
  auth: 'oauth2-authorization-code',
  allowedHosts: ['{{site}}'],
  oauth2: CONSENT
}

const SCHEMA: SettingsSchema = {
  type: 'object',
  properties: {
    site: { type: 'string', title: 'Site' },
    audience: { type: 'string', title: 'Audience' },
    clientId: { type: 'string', title: 'Client ID' },
    clientSecret: { type: 'string', title: 'Client secret', writeOnly: true }
  }
}

const withOAuth2 = (oauth2: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...MANIFEST, ...extra, oauth2 })

t.test('the rules of a consent block, each naming its field', async t => {
  t.same(manifestProblems(MANIFEST), [])
  t.same(manifestProblems(withOAuth2(CONSENT, { auth: 'oauth2-client-credentials' })),
    [{ field: '/auth', message: 'must be "oauth2-authorization-code" when the oauth2 block\'s grant is authorization_code' }])
  const { authorizeUrl: _, ...noAuthorize } = CONSENT
  t.same(manifestProblems(withOAuth2(noAuthorize)), [{ field: '/oauth2/authorizeUrl', message: 'is required when grant is authorization_code' }])
  t.same(manifestProblems(withOAuth2({ ...CONSENT, authorizeParams: { state: 'x', code_challenge: 'y' } })), [
    { field: '/oauth2/authorizeParams/state', message: 'is set by the core (PKCE, state, redirect and scope): leave it out' },
    { field: '/oauth2/authorizeParams/code_challenge', message: 'is set by the core (PKCE, state, redirect and scope): leave it out' }
  ])
  const { grant: __, ...credentials } = CONSENT
  t.same(manifestProblems(withOAuth2(credentials, { auth: 'oauth2-client-credentials' })), [
    { field: '/oauth2/authorizeUrl', message: 'is allowed only when grant is authorization_code' },
    { field: '/oauth2/revocationUrl', message: 'is allowed only when grant is authorization_code' },
    { field: '/oauth2/authorizeParams', message: 'is allowed only when grant is authorization_code' }
  ])
  t.same(manifestProblems(withOAuth2({ ...CONSENT, authorizeUrl: 'http://login.acme.test/authorize' })),
    [{ field: '/oauth2/authorizeUrl', message: 'must be an https:// URL or start with a {{setting}}; braces only in {{setting}} placeholders' }])
  t.same(manifestProblems(withOAuth2({ ...CONSENT, grant: 'implicit' })).map(p => p.field), ['/oauth2/grant'])
})

t.test('placeholders: authorizeParams are checked like the rest; consent URLs decide where credentials go', async t => {
  t.same(oauth2SettingsProblems(MANIFEST as never, SCHEMA), [])
  t.same(oauth2SettingsProblems(withOAuth2({ ...CONSENT, authorizeParams: { hint: '{{clientSecret}}' } }) as never, SCHEMA),
    [{ field: '/oauth2/authorizeParams/hint', message: 'uses {{clientSecret}}, a secret: only clientSecret may use a writeOnly setting' }])
  t.same(destinationSettings(withOAuth2({ ...CONSENT, authorizeUrl: 'https://{{loginSite}}/authorize' }) as never).sort(), ['loginSite', 'site'])
})

t.test('resolution for a workspace, and the authorize URL built from it', async t => {
  const settings = { site: 'acme.hr.test', audience: 'api://people', clientId: 'app-1', clientSecret: 's3cret' }
  const { consent, credentials, notConfigured } = resolveOAuth2(MANIFEST, settings, SCHEMA)
  t.equal(credentials, undefined, 'no client credentials: the bearer comes from the consent')
  t.equal(notConfigured, undefined)
  t.same(consent, {
    tokenUrl: 'https://acme.hr.test/oauth/token',
    clientId: 'app-1',
    clientSecret: 's3cret',
    scope: 'users:read offline_access',
    authorizeUrl: 'https://acme.hr.test/oauth/authorize',
    revocationUrl: 'https://acme.hr.test/oauth/revoke',
    authorizeParams: { prompt: 'consent', audience: 'api://people' }
  })
  t.match(resolveOAuth2(MANIFEST, { ...settings, site: '' }, SCHEMA).notConfigured?.message, 'Acme HR cannot sign in: Site is not set.')
  t.match(resolveOAuth2({ ...MANIFEST, oauth2: { ...CONSENT, authorizeUrl: '{{site}}/authorize' } }, { ...settings, site: 'http://acme.hr.test' }, SCHEMA).notConfigured?.message,
    'Acme HR cannot sign in: the authorize URL built from Site must be an https:// address.')

  const { verifier, challenge } = pkcePair()
  t.match(verifier, /^[A-Za-z0-9_-]{43}$/)
  t.equal(challenge, createHash('sha256').update(verifier).digest('base64url'), 'S256: base64url of the verifier\'s SHA-256')
  const url = new URL(authorizationUrl(consent!, { state: 'st', challenge, redirectUri: 'https://acme.stocktake.test/settings/integrations/oauth/callback' }))
  t.same(Object.fromEntries(url.searchParams), {
    prompt: 'consent',
    audience: 'api://people',
    response_type: 'code',
    client_id: 'app-1',
    redirect_uri: 'https://acme.stocktake.test/settings/integrations/oauth/callback',
    scope: 'users:read offline_access',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256'
  })
  t.notOk(url.href.includes('s3cret'), 'the secret never goes into the authorize URL')
})

t.test('a client without the core\'s consent tokens refuses signed requests instead of sending them unsigned', async t => {
  const ctx = createTestContext({ manifest: MANIFEST as never, settings: { site: 'acme.hr.test', audience: 'a', clientId: 'app-1', clientSecret: 's3cret' } })
  const err = await ctx.http.request({ url: 'https://acme.hr.test/api/people' }).catch((e: unknown) => e)
  t.ok(err instanceof ConnectorError && err.reason === 'config')
  t.match((err as Error).message, 'Acme HR signs in with an admin\'s consent, and this client has no consent tokens')
})
