/** `meta` of a discovery document: its resource type and its URL under the tenant's base URL. */
export function meta (resourceType: string, baseUrl: string, path: string): { resourceType: string, location: string } {
  return { resourceType, location: `${baseUrl.replace(/\/+$/, '')}/${path}` }
}
