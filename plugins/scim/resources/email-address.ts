// The register's own email rule (ajv-formats "email", full mode, as core/register/validate.ts uses),
// so that an address taken from SCIM is one the people table accepts.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i
const MAX_LENGTH = 320

export function isEmailAddress (text: string): boolean {
  return text.length <= MAX_LENGTH && EMAIL.test(text)
}
