import fp from 'fastify-plugin'
import { isAdmin as hasAdminRole, rolesAllowed } from '../auth/session.ts'
import { displayName } from '../auth/users.ts'
import type { Role } from '../auth/roles.ts'

const NAV = [
  { href: '/hardware', label: 'Hardware' },
  { href: '/people', label: 'People' },
  { href: '/software', label: 'Software' },
  { href: '/requests', label: 'Requests' },
  { href: '/bulk-import', label: 'Bulk import' },
  { href: '/audit', label: 'Audit log' },
  { href: '/settings', label: 'Settings' }
]

/** What every page's layout needs: workspace, user, navigation and the CSRF token for forms. */
export default fp(async (app) => {
  // Who may open each page, read from its route's guard as the routes are registered, so the menu
  // offers a page only to the roles its route lets in (never a 403) and only once it exists (never a 404).
  const pages = new Map<string, readonly Role[] | null>()
  app.addHook('onRoute', route => {
    const roles = rolesAllowed(route.preHandler)
    if ([route.method].flat().includes('GET') && roles !== undefined) pages.set(route.url, roles)
  })
  const mayOpen = (href: string, role: Role) => {
    const roles = pages.get(href)
    return roles === null || Boolean(roles?.includes(role))
  }

  app.addHook('preHandler', async (request, reply) => {
    const user = request.user
    const isAdmin = hasAdminRole(request)
    const path = request.url.split('?')[0]
    reply.locals = {
      ...reply.locals,
      workspace: request.workspace,
      user: user ? { ...user, name: displayName(user) } : null,
      isAdmin,
      currentPath: path,
      csrfToken: reply.csrfToken(),
      nav: user
        ? NAV.filter(item => mayOpen(item.href, user.role)).map(item => ({ ...item, current: path === item.href || path.startsWith(`${item.href}/`) }))
        : []
    }
  })
}, { name: 'page-context', dependencies: ['session'] })
