// The SAML plugin's page (/settings/integrations/saml): the workspace's identity providers, each
// with the service provider's details to give it, added from metadata or by hand, edited, deleted.
import type { ConnectorPage } from '../../../core/sdk.ts'
import { addIdp, editIdp, removeIdp } from './actions.ts'
import { loadSamlPage } from './load.ts'

export const samlPage: ConnectorPage = { load: loadSamlPage, actions: { 'add-idp': addIdp, 'edit-idp': editIdp, 'delete-idp': removeIdp } }
