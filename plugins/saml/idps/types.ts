import type { PersonRole } from '../../../core/sdk.ts'

/** Which part of the SAML Response the IdP signs: the whole Response, or only the Assertion (ADFS, Auth0, OneLogin). */
export type SignedPart = 'response' | 'assertion'

export interface RoleMapping { group: string, role: PersonRole }

/** One identity provider of a workspace, as stored (saml_idps). */
export interface Idp {
  id: string
  /** Its sign-in method key: `^[a-z0-9][a-z0-9-]{0,63}$`, unique in the workspace, in its URLs. */
  key: string
  displayName: string
  enabled: boolean
  /** The IdP's entity ID: the Issuer its Responses and Assertions must carry. */
  entityId: string
  /** Its single sign-on service (HTTP-Redirect binding). */
  ssoUrl: string
  /** Its signing certificates (PEM), one or two while it rolls them. */
  certificates: string[]
  signedPart: SignedPart
  /** The attribute holding the email; null: the NameID. */
  emailAttribute: string | null
  firstNameAttribute: string | null
  lastNameAttribute: string | null
  groupAttribute: string | null
  allowIdpInitiated: boolean
  /** Just-in-time provisioning. */
  createPeople: boolean
  defaultRole: PersonRole
  roleMappings: RoleMapping[]
  /** This service provider's certificate (PEM) for this IdP: it signs AuthnRequests and receives encrypted assertions. */
  spCertificate: string
  /** Its private key, sealed with the workspace's data key (tools.secrets.open). */
  sealedSpPrivateKey: string
  version: number
  createdAt: Date
  updatedAt: Date
}

/** What an admin sets; the rest is the store's. */
export type IdpFields = Omit<Idp, 'id' | 'spCertificate' | 'sealedSpPrivateKey' | 'version' | 'createdAt' | 'updatedAt'>
