import fp from 'fastify-plugin'
import { isAdmin as hasAdminRole } from '../auth/session.ts'
import { displayName } from '../auth/users.ts'

// Shown only once a page is registered at the address, so the menu never leads to a 404.
const NAV = [
  { href: '/hardware', label: 'Hardware' },
  { href: '/people', label: 'People' },
  { href: '/software', label: 'Software' },
  { href: '/requests', label: 'Requests' },
  { href: '/bulk-import', label: 'Bulk import', admin: true },
  { href: '/audit', label: 'Audit log', admin: true },
  { href: '/settings', label: 'Settings', admin: true }
]

/** What every page's layout needs: workspace, user, navigation and the CSRF token for forms. */
export default fp(async (app) => {
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
        ? NAV.filter(item => (!item.admin || isAdmin) && app.hasRoute({ method: 'GET', url: item.href })).map(item => ({ ...item, current: path === item.href || path.startsWith(`${item.href}/`) }))
        : []
    }
  })
}, { name: 'page-context', dependencies: ['session'] })
