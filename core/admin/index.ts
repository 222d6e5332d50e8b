import type { FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import tenancy from '../tenancy/index.ts'
import session from '../auth/session.ts'
import authRoutes from '../auth/routes.ts'
import ssoRoutes from '../auth/sso/routes.ts'
import views from './views.ts'
import flash from './flash.ts'
import revealOnce from './reveal-once.ts'
import pageContext from './context.ts'
import { installPageErrors } from './errors.ts'
import { pageSecurityHeaders } from './security-headers.ts'
import { refuseUnstorableAddresses } from './input.ts'
import homeRoutes from './home.ts'
import auditRoutes from '../audit/routes.ts'
import { settingsRoutes, signInSettingsRoutes } from '../settings/index.ts'
import { integrationRoutes } from '../integrations/routes.ts'
import { oauthConsentRoutes } from '../integrations/oauth-routes.ts'
import accountRoutes from '../auth/account.ts'
import apiSettingsRoutes from '../api/settings-page.ts'
import scimSettingsRoutes from '../api/scim-settings-page.ts'
import requestRoutes from '../pages/requests/routes.ts'
import { hardwareRoutes } from '../pages/hardware/index.ts'
import { peopleRoutes } from '../pages/people/index.ts'
import { softwareRoutes } from '../pages/software/index.ts'
import { bulkImportRoutes } from '../pages/bulk-import/index.ts'

export { redirectPage } from './errors.ts'

export interface PagesOptions {
  baseDomain: string
  sessionSecret: string
  secureCookies: boolean
}

/**
 * The server-rendered admin: one encapsulated context in which the workspace comes from the host,
 * sessions come from the cookie, every form post is CSRF-checked and every answer carries the
 * security headers.
 */
export async function pages (app: FastifyInstance, opts: PagesOptions) {
  await app.register(helmet, pageSecurityHeaders(opts.secureCookies))
  await app.register(views)
  await app.register(tenancy, { baseDomain: opts.baseDomain })
  await app.register(session, { secret: opts.sessionSecret, secure: opts.secureCookies })
  await app.register(flash)
  await app.register(revealOnce)
  await app.register(pageContext)
  installPageErrors(app)
  refuseUnstorableAddresses(app)

  await app.register(authRoutes)
  await app.register(ssoRoutes)
  await app.register(accountRoutes)
  await app.register(homeRoutes)
  await app.register(auditRoutes)
  await app.register(settingsRoutes)
  await app.register(signInSettingsRoutes)
  await app.register(integrationRoutes)
  await app.register(oauthConsentRoutes)
  await app.register(apiSettingsRoutes)
  await app.register(scimSettingsRoutes)
  await app.register(requestRoutes)
  await app.register(hardwareRoutes)
  await app.register(peopleRoutes)
  await app.register(softwareRoutes)
  await app.register(bulkImportRoutes)
}
