// A test's browser cookies for one peer: what its Set-Cookie headers set, sent back as a Cookie
// header (paths and domains ignored). One jar for every test browser; it lives with the sign-in
// plugins' fakes (plugins/_shared/oidc/fake-browser.ts), which may not import test/helpers.
export { cookieJar } from '../../plugins/_shared/oidc/fake-browser.ts'
