export { settingsRoutes, readWorkspaceForm, MEMBER_LIMIT } from './routes.ts'
export { signInSettingsRoutes } from './sign-in.ts'
