// Every PATCH body of Microsoft's SCIM validator collection (AzureAD/SCIMReferenceCode
// PostmanCollection.json, MIT), as sent, applied in the collection's order with what its later
// GET asserts.
import t from 'tap'
import { applyPatch } from './index.ts'
import { GROUP_ID, GROUP_SCHEMA, groupTarget, userTarget, USER_SCHEMA } from './test-fixtures.ts'

const ID4 = '9b3f2a8e-63b1-4a43-9d2c-0c1c3f6b7e21'

/** A body as the collection writes it, `{{id4}}` filled in. */
function sent (text: string): unknown {
  return JSON.parse(text.replaceAll('{{id4}}', ID4).replaceAll('{{1stgroupid}}', GROUP_ID))
}

t.test('User tests: "patch user1" replaces userName; "Get User1 Check Patch" expects ryan3', async t => {
  const user1 = { schemas: [USER_SCHEMA], userName: 'UserName123', active: true, displayName: 'BobIsAmazing', externalId: 'e1' }
  const patched = applyPatch(user1, sent(`{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "userName",
            "value": "ryan3"
        }
    ]
}`), userTarget)
  t.equal(patched.userName, 'ryan3')
})

t.test('Group tests: add user4 (with "displayName"), remove it by filter, add it again, remove all', async t => {
  const addUser4 = sent(`{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "name": "addMember",
            "op": "add",
            "path": "members",
            "value": [
            \t{
            \t\t"displayName":"new User",
            \t\t"value":"{{id4}}"\t
            \t}
            \t]
            
        }
    ]
}`)
  const removeUser4 = sent(`{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "remove",
            "path": "members[value eq \\"{{id4}}\\"]"
        }
    ]
}`)
  const removeAll = sent(`{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "remove",
            "path": "members"
        }
    ]
}`)
  const group1 = { externalId: 'x', schemas: [GROUP_SCHEMA], displayName: 'Group1DisplayName', members: [] }
  let document = applyPatch(group1, addUser4, groupTarget)
  t.same(document.members, [{ displayName: 'new User', value: ID4 }], 'kept as sent: "displayName" is for the caller to map to display')
  t.match(JSON.stringify(document), /new User/, '"Get group by id": body contains the user')
  document = applyPatch(document, removeUser4, groupTarget)
  t.notMatch(JSON.stringify(document), /new User/)
  document = applyPatch(document, addUser4, groupTarget)
  t.match(JSON.stringify(document), /new User/)
  document = applyPatch(document, removeAll, groupTarget)
  t.notMatch(JSON.stringify(document), /new User/, '"Get group by id": the user is gone')
  t.same(document, { externalId: 'x', schemas: [GROUP_SCHEMA], displayName: 'Group1DisplayName' })
})

t.test('User tests with garbage: capitalised Replace of userName, then of active with a boolean', async t => {
  let document: Record<string, unknown> = { schemas: [USER_SCHEMA], userName: 'OMalley', active: true }
  document = applyPatch(document, sent(`{ "schemas":
       ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[
       {
        "op":"Replace",
        "path":"userName",
        "value":"newusername"
       }]
   }`), userTarget)
  document = applyPatch(document, sent(`{ "schemas":
       ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[
       {
        "op":"Replace",
        "path":"active",
        "value": false
       }]
   }`), userTarget)
  t.same(document, { schemas: [USER_SCHEMA], userName: 'newusername', active: false })
})

t.test('Group tests with garbage: a body with "id", adding bare-string members that exist nowhere', async t => {
  const addMember = (n: number) => sent(`{
\t"id": "{{1stgroupid}}",
    "Operations": [
        {
         "op":"add", 
         "path": "members", 
         "value": "string id ${n}"
        }
    ],
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ]
}`)
  let document: Record<string, unknown> = { displayName: 'Group 1', externalId: '015489ea-9410-4306-b583-9f002b2446f7', schemas: [GROUP_SCHEMA] }
  document = applyPatch(document, addMember(1), groupTarget)
  t.same(document.members, [{ value: 'string id 1' }])
  document = applyPatch(document, addMember(2), groupTarget)
  t.same(document.members, [{ value: 'string id 1' }, { value: 'string id 2' }])
})
