// The settings of a Jamf Pro connection. Their rules, in plain words, are the settings schema's
// (errorMessage): the platform checks stored settings against it before ctx.http sends anything.

export interface JamfSettings extends Record<string, unknown> {
  /** https://acme.jamfcloud.com: https, no trailing slash, no /api. */
  tenantUrl: string
  /** The API client's UUID. */
  clientId: string
  clientSecret: string
}

/** The tenant URL to build API URLs on (the platform has checked it against the settings schema). */
export const tenantBase = (settings: JamfSettings): string => String(settings.tenantUrl ?? '').trim()
