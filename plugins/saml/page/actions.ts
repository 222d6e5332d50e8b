// The page's actions: add an IdP (from metadata XML, a metadata URL, or by hand), edit one (its
// settings, entity ID, SSO URL, and its certificates for a roll), delete one. Each checks the
// whole form first and stores in one statement: a refusal stores nothing; a save over someone
// else's (the version moved) is refused.
import { NotFoundError, ValidationError, type ConnectorContext, type PageForm, type PageTools } from '../../../core/sdk.ts'
import { createIdp, deleteIdp, findIdp, findIdpByKey, updateIdp } from '../idps/store.ts'
import { newServiceProviderKeys } from '../idps/sp-keys.ts'
import type { Idp } from '../idps/types.ts'
import { showIdpCount } from './badge.ts'
import { fetchMetadata } from './fetch-metadata.ts'
import { FormErrors, readKey, readSettings, readTrust, ssoUrlProblem } from './idp-form.ts'
import { parseIdpMetadata, type IdpTrust } from './metadata.ts'

const UNIQUE_VIOLATION = '23505'

/** Runs a check that throws a ValidationError, keeping its errors with the others. */
async function collect<T> (errors: FormErrors, check: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await check()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    for (const e of err.errors) errors.add(e.field, e.rule, e.message)
    return undefined
  }
}

/** What metadata says, held to the rules of the fields typed by hand. */
function checkedMetadata (trust: IdpTrust | undefined, field: string, errors: FormErrors): IdpTrust | undefined {
  if (trust === undefined) return undefined
  const problem = ssoUrlProblem(trust.ssoUrl)
  if (problem !== null) { errors.add(field, 'sso_url', `has a sign-on URL Stocktake cannot use (${trust.ssoUrl}): ${problem}`); return undefined }
  if (trust.entityId.length > 1024) { errors.add(field, 'entity_id', 'has an entityID over 1024 characters.'); return undefined }
  return trust
}

/** The new IdP's trust from the source the admin chose. */
async function trustOfNewIdp (ctx: ConnectorContext, form: PageForm, errors: FormErrors): Promise<IdpTrust | undefined> {
  const source = form.source ?? ''
  if (source === 'xml') {
    const xml = (form.metadata_xml ?? '').trim()
    if (xml === '') { errors.add('metadata_xml', 'required', 'Metadata XML is required: paste the IdP\'s metadata (the EntityDescriptor), or choose another way to add it.'); return undefined }
    return checkedMetadata(await collect(errors, () => parseIdpMetadata(xml, 'metadata_xml')), 'metadata_xml', errors)
  }
  if (source === 'url') {
    const url = (form.metadata_url ?? '').trim()
    if (url === '') { errors.add('metadata_url', 'required', 'Metadata URL is required: the address the IdP publishes its metadata at, or choose another way to add it.'); return undefined }
    return checkedMetadata(await collect(errors, async () => parseIdpMetadata(await fetchMetadata(ctx, url, 'metadata_url'), 'metadata_url')), 'metadata_url', errors)
  }
  if (source === 'manual') {
    const typed = readTrust(form, { entityId: 'entity_id', ssoUrl: 'sso_url', certificate: 'certificate' }, errors)
    if ((form.certificate ?? '').trim() === '') errors.add('certificate', 'required', 'Signing certificate is required: the IdP signs what it sends with it.')
    return typed.certificate === undefined ? undefined : { entityId: typed.entityId!, ssoUrl: typed.ssoUrl!, certificates: [typed.certificate] }
  }
  errors.add('source', 'enum', 'How to add it must be one of: metadata XML, metadata URL, by hand.')
  return undefined
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown })?.code === UNIQUE_VIOLATION
const takenKey = (key: string) => `Key “${key}” is taken by another identity provider of this workspace: choose another.`

export async function addIdp (ctx: ConnectorContext, form: PageForm, tools: PageTools): Promise<string> {
  const workspaceId = ctx.workspace.id
  const errors = new FormErrors()
  const settings = readSettings(form, errors)
  const key = readKey(form, settings.displayName, errors)
  const trust = await trustOfNewIdp(ctx, form, errors)
  if (!errors.has('key') && key !== '' && await findIdpByKey(tools.db, workspaceId, key) !== undefined) errors.add('key', 'unique', takenKey(key))
  if (errors.list.length > 0 || trust === undefined) throw new ValidationError(errors.list)
  const sp = await newServiceProviderKeys(tools.signInUrls(key).start, tools.secrets)
  try {
    await createIdp(tools.db, workspaceId, { ...settings, key, ...trust }, sp)
  } catch (err) {
    // Another admin added the same key between the check and the insert.
    if (isUniqueViolation(err)) throw ValidationError.of('key', 'unique', takenKey(key))
    throw err
  }
  await showIdpCount(ctx, tools.db)
  return `Added “${settings.displayName}”. Give it the service provider's details below, then people can sign in with it.`
}

async function storedIdp (ctx: ConnectorContext, form: PageForm, tools: PageTools): Promise<Idp> {
  const idp = await findIdp(tools.db, ctx.workspace.id, form.id ?? '')
  if (idp === undefined) throw new NotFoundError('Identity provider', form.id ?? '')
  return idp
}

/** The certificates after the edit: the stored ones not ticked for removal, then the one added. */
function rolledCertificates (form: PageForm, stored: Idp, added: string | undefined, errors: FormErrors): string[] {
  const kept = stored.certificates.filter((_, i) => (form[`remove_certificate_${i}`] ?? '') === '')
  const certificates = added === undefined || kept.includes(added) ? kept : [...kept, added]
  if (certificates.length === 0) errors.add('new_certificate', 'required', 'Signing certificate: keep one or add one; an IdP without a certificate cannot be trusted.')
  else if (certificates.length > 2) errors.add('new_certificate', 'max_items', 'Signing certificate: at most two at once. Tick Remove on the one the IdP no longer uses, then add the new one.')
  return certificates
}

export async function editIdp (ctx: ConnectorContext, form: PageForm, tools: PageTools): Promise<string> {
  const stored = await storedIdp(ctx, form, tools)
  const errors = new FormErrors()
  const settings = readSettings(form, errors)
  const typed = readTrust(form, { entityId: 'entity_id', ssoUrl: 'sso_url', certificate: 'new_certificate' }, errors)
  const certificates = rolledCertificates(form, stored, typed.certificate, errors)
  const version = /^\d{1,9}$/.test(form.version ?? '') ? Number(form.version) : NaN
  if (Number.isNaN(version)) errors.add('version', 'integer', 'The form has no version: reload the page.')
  if (errors.list.length > 0) throw new ValidationError(errors.list)
  const saved = await updateIdp(tools.db, ctx.workspace.id, stored.id, version, { ...settings, entityId: typed.entityId, ssoUrl: typed.ssoUrl, certificates })
  if (saved === undefined) {
    throw ValidationError.of('version', 'stale', `Someone else changed “${stored.displayName}” since you opened this page: reload it to see their changes, then make yours again.`)
  }
  return `Saved “${saved.displayName}”.`
}

export async function removeIdp (ctx: ConnectorContext, form: PageForm, tools: PageTools): Promise<string> {
  const stored = await storedIdp(ctx, form, tools)
  if ((form.confirm ?? '') === '') {
    throw ValidationError.of('confirm', 'required', `Tick the box to confirm: once “${stored.displayName}” is deleted, nobody can sign in with it.`)
  }
  await deleteIdp(tools.db, ctx.workspace.id, stored.id)
  await showIdpCount(ctx, tools.db)
  return `Deleted “${stored.displayName}”. Remove the Stocktake application at the identity provider too.`
}
