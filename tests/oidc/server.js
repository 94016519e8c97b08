// A real OpenID Connect provider for the ProConnect tests: panva/oidc-provider (certified), configured like
// ProConnect (client_secret_post, scopes openid email given_name usual_name, signed userinfo, amr/acr in the ID
// token, RP-initiated logout). Started on 127.0.0.1 by tests/accounts/test_proconnect.py with:
//   PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI
// Its sign-in page asks an e-mail, whether the provider vouches for it (email_verified) and whether a second factor
// was used (amr ["pwd","mfa"], acr "eidas2"; else ["pwd"], "eidas1"). It prints "ready <issuer>" once listening.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const accounts = new Map(); // accountId -> claims chosen on the sign-in page

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    post_logout_redirect_uris: [process.env.POST_LOGOUT_REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_post',
    userinfo_signed_response_alg: 'RS256',
    id_token_signed_response_alg: 'RS256',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  scopes: ['openid', 'email', 'given_name', 'usual_name'],
  claims: {
    openid: ['sub'], email: ['email', 'email_verified'], given_name: ['given_name'], usual_name: ['usual_name'],
    acr: null, amr: null, auth_time: null,
  },
  acrValues: ['eidas1', 'eidas2'],
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    claimsParameter: { enabled: true }, // ProConnect returns amr when asked through the claims parameter
  },
  pkce: { required: () => false },
  cookies: { keys: ['test-cookie-key-1'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});

const page = (body) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d’identité de test</title></head><body>${body}</body></html>`;

function readForm(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
  });
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(`<h1>Connexion au fournisseur de test</h1>
      <form method="post" action="/interaction/${details.uid}">
        <label for="email">Adresse électronique</label> <input id="email" name="email" type="email" required>
        <label><input type="checkbox" name="email_verified" value="1" checked> Adresse vérifiée</label>
        <label><input type="checkbox" name="mfa" value="1"> Second facteur utilisé</label>
        <button type="submit">Se connecter</button>
      </form>`));
    return;
  }
  const form = await readForm(req);
  const email = form.get('email');
  const mfa = form.get('mfa') === '1';
  const accountId = `${email}${form.get('email_verified') === '1' ? '' : '#unverified'}`;
  accounts.set(accountId, {
    email, email_verified: form.get('email_verified') === '1', given_name: 'Camille', usual_name: 'Agent',
  });
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId, amr: mfa ? ['pwd', 'mfa'] : ['pwd'], acr: mfa ? 'eidas2' : 'eidas1' },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => { res.writeHead(500); res.end(String(err)); });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => { console.log(`ready ${issuer}`); });
