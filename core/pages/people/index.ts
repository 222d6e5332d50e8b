export { default as peopleRoutes } from './routes.ts'
