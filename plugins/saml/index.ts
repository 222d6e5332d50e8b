// SAML 2.0 single sign-on: several identity providers per workspace, each a sign-in method of its
// own; the admin page (page/) manages them, sign-in/ verifies what they send.
import { defineConnector } from '../../core/sdk.ts'
import { samlPage } from './page/index.ts'
import { samlSignIn } from './sign-in/index.ts'

export default defineConnector({ signIn: samlSignIn, page: samlPage })
