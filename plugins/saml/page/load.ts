// What the SAML page's template shows: each IdP with its certificates' expiry, the service
// provider's details to give it, its edit form's values; and the add form's defaults.
import type { ConnectorContext, PageForm, PageTools } from '../../../core/sdk.ts'
import { listIdps } from '../idps/store.ts'
import type { Idp } from '../idps/types.ts'
import { certificateFacts, EXPIRY_WARNING_DAYS } from './certificates.ts'
import { ROLES } from './idp-form.ts'
import { serviceProviderDetails } from './service-provider.ts'

/** Blank role-mapping rows below the filled ones, to add mappings without JavaScript. */
const BLANK_MAPPING_ROWS = 3

/** The row names of `count` role-mapping rows (mapping_group_<n>, mapping_role_<n>). */
const mappingRows = (count: number) => Array.from({ length: count }, (_, i) => ({ n: i + 1, group: `mapping_group_${i + 1}`, role: `mapping_role_${i + 1}` }))

/** The IdP as its edit form posts it (checkboxes 'on' or ''), so a refused form and a stored IdP render alike. */
function formValues (idp: Idp): PageForm {
  const values: PageForm = {
    form_kind: 'edit',
    id: idp.id,
    version: String(idp.version),
    display_name: idp.displayName,
    key: idp.key,
    enabled: idp.enabled ? 'on' : '',
    entity_id: idp.entityId,
    sso_url: idp.ssoUrl,
    email_attribute: idp.emailAttribute ?? '',
    first_name_attribute: idp.firstNameAttribute ?? '',
    last_name_attribute: idp.lastNameAttribute ?? '',
    group_attribute: idp.groupAttribute ?? '',
    signed_part: idp.signedPart,
    allow_idp_initiated: idp.allowIdpInitiated ? 'on' : '',
    create_people: idp.createPeople ? 'on' : '',
    default_role: idp.defaultRole
  }
  idp.roleMappings.forEach((mapping, i) => {
    values[`mapping_group_${i + 1}`] = mapping.group
    values[`mapping_role_${i + 1}`] = mapping.role
  })
  return values
}

function idpView (idp: Idp, tools: PageTools, now: Date) {
  const certificates = idp.certificates.map((pem, index) => {
    const facts = certificateFacts(pem, now)
    return { index, removeField: `remove_certificate_${index}`, ...facts, left: facts.daysLeft === 1 ? '1 day' : `${facts.daysLeft} days` }
  })
  const soonest = [...certificates].sort((a, b) => a.validTo.getTime() - b.validTo.getTime())[0]
  return {
    id: idp.id,
    key: idp.key,
    displayName: idp.displayName,
    enabled: idp.enabled,
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    signedPart: idp.signedPart,
    createPeople: idp.createPeople,
    allowIdpInitiated: idp.allowIdpInitiated,
    mappingCount: idp.roleMappings.length,
    certificates,
    soonest,
    warnings: certificates.filter(c => c.status !== 'valid'),
    sp: serviceProviderDetails(idp, tools),
    values: formValues(idp),
    mappingRows: mappingRows(idp.roleMappings.length + BLANK_MAPPING_ROWS)
  }
}

export async function loadSamlPage (ctx: ConnectorContext, tools: PageTools): Promise<Record<string, unknown>> {
  const now = new Date()
  const idps = (await listIdps(tools.db, ctx.workspace.id)).map(idp => idpView(idp, tools, now))
  return {
    idps,
    warnings: idps.flatMap(idp => idp.warnings.map(certificate => ({ idp: idp.displayName, id: idp.id, ...certificate }))),
    warningDays: EXPIRY_WARNING_DAYS,
    // Only super-admins reach the forms (the core refuses a sign-in plugin's actions to anyone else), so every role is offered.
    roles: ROLES,
    newValues: { form_kind: 'add', source: 'xml', enabled: 'on', signed_part: 'response', default_role: 'employee' },
    newMappingRows: mappingRows(BLANK_MAPPING_ROWS + 2),
    // The addresses a new IdP's key will have, for creating the application at the IdP first.
    spPattern: tools.signInUrls('KEY')
  }
}
