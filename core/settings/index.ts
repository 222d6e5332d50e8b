export { settingsRoutes, readWorkspaceForm, MEMBER_LIMIT } from './routes.ts'
