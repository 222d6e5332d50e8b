// The SCIM plugin's part of its settings page (/settings/scim), below the core's tenant URL and
// tokens: the group → role mappings and the provisioning log.
import type { ConnectorPage } from '../../../core/sdk.ts'
import { loadScimPage } from './load.ts'
import { mapGroup } from './map-group.ts'

export const scimPage: ConnectorPage = { load: loadScimPage, actions: { 'map-group': mapGroup } }
export { showMappingCount } from './mappings.ts'
