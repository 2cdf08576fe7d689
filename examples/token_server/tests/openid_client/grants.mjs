// openid-client 5 (npm), a client we did not write, against examples/token_server:
// client.grant for client_credentials (RFC 6749 4.4) and the password grant, and
// client.refresh (RFC 6749 6), with the client authenticated as openid-client does it.
//
// usage: node grants.mjs TOKEN_URL   (client_libraries_test.py registers the clients)
// Prints one line per check and a summary; exits 1 if any check failed.

import { Issuer, errors } from 'openid-client';

const [tokenUrl] = process.argv.slice(2);
const hex64 = /^[0-9a-f]{64}$/;
let checks = 0;
let failed = 0;

function check(condition, message) {
  checks += 1;
  if (!condition) failed += 1;
  console.log((condition ? 'ok   ' : 'FAIL ') + message);
}

async function refused(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e instanceof errors.OPError ? e : { error: String(e) };
  }
}

// No discovery here: the token server has no metadata document yet, so the issuer is
// described by hand, as openid-client allows.
const issuer = new Issuer({ issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl });

const service = new issuer.Client({
  client_id: 'svc',
  client_secret: 'svc-secret-openid-client',
  token_endpoint_auth_method: 'client_secret_basic',
});
const set = await service.grant({ grant_type: 'client_credentials', scope: 'read' });
check(hex64.test(set.access_token ?? ''), 'client_credentials, client_secret_basic: an access token');
check(set.refresh_token === undefined, 'client_credentials: no refresh token (RFC 6749 4.4.3)');
check(set.token_type === 'bearer' && set.expires_in > 0, 'client_credentials: token_type and expires_in');

const posting = new issuer.Client({
  client_id: 'svc-post',
  client_secret: 'svc-post-secret-openid-client',
  token_endpoint_auth_method: 'client_secret_post',
});
const posted = await posting.grant({ grant_type: 'client_credentials' });
check(hex64.test(posted.access_token ?? ''), 'client_credentials, client_secret_post: an access token');

const wrong = new issuer.Client({ client_id: 'svc', client_secret: 'not-the-secret' });
const error = await refused(wrong.grant({ grant_type: 'client_credentials' }));
check(error?.error === 'invalid_client', 'client_credentials, wrong secret: invalid_client (got ' + error?.error + ')');

const vendor = new issuer.Client({
  client_id: '138',
  client_secret: 'e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf',
});
const pair = await vendor.grant({ grant_type: 'password', username: 'john_doe', password: 'john_doe_secret' });
check(hex64.test(pair.access_token ?? '') && hex64.test(pair.refresh_token ?? ''), 'password grant: a pair');
const refreshed = await vendor.refresh(pair.refresh_token);
check(hex64.test(refreshed.refresh_token ?? '') && refreshed.refresh_token !== pair.refresh_token,
  'client.refresh: a new pair (rotation)');
const again = await refused(vendor.refresh(pair.refresh_token));
check(again?.error === 'invalid_grant', 'client.refresh with the used refresh token: invalid_grant');

console.log(`${checks} checks, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
