export { default as bulkImportRoutes } from './routes.ts'
