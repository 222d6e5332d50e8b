// The enterprise User extension: RFC 7643 §8.7.1 (attributes defined in §4.3).
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { attribute, complex, type SchemaDefinition } from './attribute.ts'

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.'),
    attribute('costCenter', 'Identifies the name of a cost center.'),
    attribute('organization', 'Identifies the name of an organization.'),
    attribute('division', 'Identifies the name of a division.'),
    attribute('department', 'Identifies the name of a department.'),
    complex('manager', "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.", [
      attribute('value', "The id of the SCIM resource representing the User's manager. REQUIRED."),
      attribute('$ref', "The URI of the SCIM resource representing the User's manager. REQUIRED.",
        { type: 'reference', referenceTypes: ['User'] }),
      attribute('displayName', "The displayName of the User's manager. OPTIONAL and READ-ONLY.", { mutability: 'readOnly' })
    ])
  ]
}
