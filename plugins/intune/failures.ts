// Microsoft's refusals in plain words, declared: Entra's at sign-in (the shared AADSTS table) and
// Graph's when listing managed devices, each with what the admin should fix.
import { vendorFailures, type FailureRule } from '../../core/sdk.ts'
import { entraTokenFailures } from '../_shared/microsoft/entra.ts'
import { graphError, graphTokenRejected, graphWhy } from '../_shared/microsoft/graph.ts'

const PERMISSION = 'DeviceManagementManagedDevices.Read.All'

const deviceRequestRefused: FailureRule<undefined> = {
  reason: 'config',
  message: f => `Microsoft Graph refused the device request with HTTP ${f.status}${graphWhy(f.detail)}.`
}

/** A failed Graph request: Entra refusing the sign-in, or Graph the request; 429, 5xx and network errors stay as they are. */
export const graphFailures = vendorFailures({
  token: entraTokenFailures(PERMISSION),
  request: {
    read: graphError,
    statuses: {
      401: graphTokenRejected(),
      403: {
        reason: 'permission',
        message: f => `Microsoft Graph refused to list managed devices${graphWhy(f.detail)}. Grant the application permission ${PERMISSION} with admin consent in the app registration, and check that the tenant has an active Intune licence.`
      },
      400: deviceRequestRefused,
      404: deviceRequestRefused
    }
  }
})
