// The baseline of the code→token benchmark: panva's oidc-provider on a loopback port with
// an in-memory adapter, one confidential client (client_secret_basic), and per exchange the
// same tokens Tessera issues: an ES256 ID token, an ES256-signed JWT access token (RFC 9068,
// through resource indicators: oidc-provider's access tokens for its own userinfo are opaque)
// and a refresh token. COUNT authorization codes (PKCE S256) are pre-issued through its own
// models before timing. Prints one JSON line: {port, codes}.
// Usage: node provider.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI CHALLENGE COUNT
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri, challenge, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench' };

// oidc-provider's quick-start memory adapter is an LRU of 1000 entries, which would evict the
// pre-issued codes; this one keeps everything in Maps (still in memory, no persistence).
const stores = new Map();
const grantIndex = new Map();
class MapAdapter {
  constructor(name) {
    this.name = name;
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }
  async upsert(id, payload) {
    this.store.set(id, payload);
    if (payload.grantId) {
      const list = grantIndex.get(payload.grantId) || [];
      list.push([this.name, id]);
      grantIndex.set(payload.grantId, list);
    }
  }
  async find(id) { return this.store.get(id); }
  async findByUid(uid) { for (const v of this.store.values()) if (v.uid === uid) return v; return undefined; }
  async findByUserCode(code) { for (const v of this.store.values()) if (v.userCode === code) return v; return undefined; }
  async consume(id) { const v = this.store.get(id); if (v) v.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const [name, id] of grantIndex.get(grantId) || []) stores.get(name)?.delete(id);
    grantIndex.delete(grantId);
  }
}

// The API the access tokens are for; each code's grant holds it, so the token endpoint issues a
// JWT access token for it without a `resource` parameter (the benchmark sends the same form
// to both servers).
const RESOURCE = 'urn:tessera:bench:api';

const provider = new Provider('http://127.0.0.1', {
  adapter: MapAdapter,
  features: {
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [jwk] },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  issueRefreshToken: async () => true,
  ttl: { AccessToken: 300, AuthorizationCode: 3600, IdToken: 600, Grant: 86400, RefreshToken: 86400 },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const client = await provider.Client.find(clientId);
const codes = [];
for (let i = 0; i < count; i += 1) {
  const grant = new provider.Grant({ accountId: `user${i % 64}`, clientId });
  grant.addOIDCScope('openid');
  grant.addResourceScope(RESOURCE, 'api');
  const grantId = await grant.save();
  const code = new provider.AuthorizationCode({
    accountId: `user${i % 64}`,
    client,
    grantId,
    scope: 'openid api',
    resource: RESOURCE,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    nonce: `n${i}`,
    authTime: Math.floor(Date.now() / 1000),
  });
  codes.push(await code.save());
}
const server = provider.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, codes }));
});
