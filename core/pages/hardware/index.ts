export { default as hardwareRoutes } from './routes.ts'
