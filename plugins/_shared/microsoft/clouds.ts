// Microsoft's clouds: where a tenant signs in (Entra's login host) and where its Graph answers. A
// Microsoft plugin offers them as two settings, loginHost and graphHost (under Advanced), whose
// options are these hosts; the manifest allows "{{loginHost}}" and "{{graphHost}}" and asks for
// the scope "https://{{graphHost}}/.default".
// https://learn.microsoft.com/graph/deployments

export interface MicrosoftCloud {
  /** As the settings form names it. */
  name: string
  loginHost: string
  graphHost: string
}

export const MICROSOFT_CLOUDS: readonly MicrosoftCloud[] = [
  { name: 'global', loginHost: 'login.microsoftonline.com', graphHost: 'graph.microsoft.com' },
  { name: 'US Government L4: GCC High', loginHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us' },
  { name: 'US Government L5: DoD', loginHost: 'login.microsoftonline.us', graphHost: 'dod-graph.microsoft.us' },
  { name: 'China, operated by 21Vianet', loginHost: 'login.chinacloudapi.cn', graphHost: 'microsoftgraph.chinacloudapi.cn' }
]

export const DEFAULT_LOGIN_HOST = MICROSOFT_CLOUDS[0].loginHost
export const DEFAULT_GRAPH_HOST = MICROSOFT_CLOUDS[0].graphHost

/** Every sign-in host, once (two US Government clouds share one). */
export const LOGIN_HOSTS: readonly string[] = [...new Set(MICROSOFT_CLOUDS.map(cloud => cloud.loginHost))]
export const GRAPH_HOSTS: readonly string[] = MICROSOFT_CLOUDS.map(cloud => cloud.graphHost)

/** Graph's v1.0 root on a host, without a trailing slash. */
export const graphRoot = (graphHost: string = DEFAULT_GRAPH_HOST): string => `https://${graphHost}/v1.0`
