export { default as softwareRoutes } from './routes.ts'
