// Tessera as an OpenID Provider, driven by panva's openid-client (a strict, certified relying
// party) with Debian's Chromium as the user's browser. This file starts its own tessera (a
// test PKI as trust directory, CRL revocation) and a tiny relying party callback server on
// free loopback ports, registers the client with `tessera admin clients add --json`, then:
// discovery → code + PKCE (sign-in on /login; before the email address is verified the page
// says why and the RP gets nothing; the link from the Maildir, then the consent page) → ID
// token validation → userinfo → refresh → `acr_values=certificate` step-up (the card part
// through Tessera's JSON certificate API with an `openssl cms`-made signature) → RP-initiated
// logout. axe-core runs on the unverified-address, consent, step-up and logout pages;
// screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { audit, fitsWidth, launch, openPage, shot, solveCaptcha } from './browser.mjs';
import { verifyEmail } from './mail.mjs';
import { freePort, healthy } from './net.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const BIN = process.env.TESSERA_E2E_BIN || join(TARGET, 'debug/tessera');
const PASSWORD = 'Tessera2026ok';
const SCOPE = 'openid profile email tw_national_id';

let work;
let manifest;
let tessera;
let base;
let rp;
let rpBase;
let rpHits = 0;
let browser;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-oidc-'));
  execFileSync(BIN, ['pki', 'init-test', '--out', join(work, 'pki')], { stdio: 'ignore' });
  manifest = JSON.parse(await readFile(join(work, 'pki', 'manifest.json'), 'utf8'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  tessera = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', join(work, 'data')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      TESSERA_LOG: 'warn',
      TESSERA_PKI_TRUST_DIR: join(work, 'pki', 'trust'),
      TESSERA_PKI_REVOCATION: 'crl',
    },
  });
  await healthy(base);
  // The relying party's callback: answers every request with a plain page.
  rp = httpServer((req, res) => {
    rpHits += 1;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>RP</title><main><h1>relying party</h1></main></html>');
  });
  await new Promise((r) => rp.listen(0, '127.0.0.1', r));
  rpBase = `http://127.0.0.1:${rp.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  rp?.close();
  if (tessera && tessera.exitCode === null) {
    const exited = new Promise((r) => tessera.once('exit', r));
    tessera.kill();
    await exited;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

/** `tessera admin clients add … --json` on the server's data directory. */
function addClient() {
  const out = execFileSync(BIN, [
    '--data-dir', join(work, 'data'), '--base-url', base,
    'admin', 'clients', 'add', '--name', '公保 e 系統（測試）',
    '--redirect-uri', `${rpBase}/cb`, '--post-logout-redirect-uri', `${rpBase}/bye`,
    '--allow-national-id', '--json',
  ], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** `openssl cms -sign` over `content` with a test-PKI end entity's key. */
async function cardSign(entity, content) {
  const e = manifest.entities.find((x) => x.id === entity);
  const tbs = join(work, 'tbs.bin');
  const sig = join(work, 'sig.der');
  await writeFile(tbs, content);
  execFileSync('openssl', [
    'cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256',
    '-signer', join(work, 'pki', e.cert), '-inkey', join(work, 'pki', e.key), '-in', tbs, '-out', sig,
  ]);
  return (await readFile(sig)).toString('base64');
}

/** Asks for a challenge and has the card sign it, in the browser's cookie context. */
async function cardAnswer(page, purpose) {
  const r = await page.request.post(`${base}/api/v1/cert/challenges`, {
    data: { purpose }, headers: { origin: base },
  });
  assert.equal(r.status(), 201, await r.text());
  const { challenge_id: challengeId, tbs } = await r.json();
  return { challenge_id: challengeId, signature: await cardSign('citizen-wang', Buffer.from(tbs, 'base64')) };
}

async function untilRp(page, path) {
  await page.waitForURL((u) => u.href.startsWith(`${rpBase}${path}`), { timeout: 30_000 });
  return new URL(page.url());
}

test('openid-client: code + PKCE, refresh, userinfo, acr step-up, logout', async () => {
  const { client_id: clientId, client_secret: clientSecret } = addClient();
  const config = await client.discovery(new URL(base), clientId, undefined, client.ClientSecretBasic(clientSecret), {
    execute: [client.allowInsecureRequests],
  });
  assert.equal(config.serverMetadata().issuer, base);
  const { context, page, problems } = await openPage(browser, 1280, 900, { signerAbsent: true });
  try {
    // A member registers (with the national ID of the test citizen card).
    const username = `Oidc${Date.now().toString(36).slice(-6)}`;
    const email = `${username.toLowerCase()}@example.tw`;
    await page.goto(`${base}/register`);
    await page.fill('#f-username', username);
    await page.fill('#f-password', PASSWORD);
    await page.fill('#f-password_confirm', PASSWORD);
    await page.fill('#f-name', '王小明');
    await page.fill('#f-email', email);
    await page.fill('#f-national_id', 'A123456789');
    await page.check('#f-accept_terms');
    await solveCaptcha(page);
    await Promise.all([
      page.waitForURL('**/register/done'),
      page.getByRole('button', { name: '建立我的帳戶', exact: true }).click(),
    ]);

    // 1. Code flow with PKCE: the RP sends the browser to Tessera, the member signs in and
    //    consents, the browser comes back with code, state and iss. The address is not
    //    verified yet: the page says why and the RP gets nothing; once the link from the
    //    Maildir is followed (in another tab), 繼續 goes on to the consent page.
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const params = {
      redirect_uri: `${rpBase}/cb`, scope: SCOPE, state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    };
    await page.goto(client.buildAuthorizationUrl(config, params).href);
    await page.waitForURL('**/login?next=*');
    await page.fill('#f-username', username);
    await page.fill('#f-password', PASSWORD);
    await page.getByRole('button', { name: '登入', exact: true }).click();
    await page.getByRole('heading', { name: '電子郵件信箱尚未驗證', exact: true }).waitFor();
    const refused = await page.locator('main').innerText();
    assert.match(refused, /「公保 e 系統（測試）」要求以您的帳號登入/);
    assert.ok(refused.includes(email), refused);
    assert.equal(rpHits, 0, 'the RP got nothing');
    await audit(page, 'oidc-email-unverified');
    await shot(page, 'oidc-00-email-unverified');
    await page.setViewportSize({ width: 375, height: 812 });
    await fitsWidth(page, 'oidc-email-unverified at 375px');
    await page.setViewportSize({ width: 1280, height: 900 });
    const tab = await context.newPage();
    await verifyEmail(tab, base, join(work, 'data'), email);
    await tab.close();
    await page.getByRole('link', { name: '繼續', exact: true }).click();
    await page.waitForURL('**/oidc/consent?request=*');
    assert.match(await page.locator('main').innerText(), /公保 e 系統（測試）[\s\S]*身分證字號/);
    await audit(page, 'oidc-consent');
    await shot(page, 'oidc-01-consent');
    await page.setViewportSize({ width: 375, height: 812 });
    await fitsWidth(page, 'oidc-consent at 375px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: '同意', exact: true }).click();
    const cb = await untilRp(page, '/cb');
    assert.equal(cb.searchParams.get('iss'), base, 'RFC 9207 iss');
    const tokens = await client.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, base);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.acr, 'password');
    assert.ok(claims.auth_time > 0);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.name, '王小明');
    assert.equal(info.tw_national_id, undefined, 'no national ID at password level');

    // 2. Refresh: rotated; the old refresh token coming back is refused and revokes the family.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.claims().sub, claims.sub);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
    // Reuse revoked the whole family: the newest refresh token is dead too.
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');

    // 3. Step-up: the service asks for `certificate`; the password session must sign with
    //    the card. The card is bound (password proof) and signs in through the JSON API.
    const v2 = client.randomPKCECodeVerifier();
    const s2 = client.randomState();
    const n2 = client.randomNonce();
    await page.goto(client.buildAuthorizationUrl(config, {
      ...params, state: s2, nonce: n2, acr_values: 'certificate',
      code_challenge: await client.calculatePKCECodeChallenge(v2),
    }).href);
    await page.waitForURL('**/oidc/step-up?request=*');
    assert.match(await page.locator('main').innerText(), /自然人憑證/);
    await audit(page, 'oidc-step-up');
    await shot(page, 'oidc-02-step-up');
    await page.setViewportSize({ width: 375, height: 812 });
    await fitsWidth(page, 'oidc-step-up at 375px');
    await page.setViewportSize({ width: 1280, height: 900 });
    const bind = await page.request.post(`${base}/api/v1/cert/bindings`, {
      data: { ...(await cardAnswer(page, 'bind')), password: PASSWORD }, headers: { origin: base },
    });
    assert.ok(bind.ok(), await bind.text());
    const signIn = await page.request.post(`${base}/api/v1/cert/session`, {
      data: await cardAnswer(page, 'login'), headers: { origin: base },
    });
    assert.equal((await signIn.json()).loa, 'certificate', 'signed in with the card');
    await page.getByRole('link', { name: '繼續', exact: true }).click();
    const cb2 = await untilRp(page, '/cb');
    const strong = await client.authorizationCodeGrant(config, cb2, {
      pkceCodeVerifier: v2, expectedState: s2, expectedNonce: n2, idTokenExpected: true,
    });
    assert.equal(strong.claims().acr, 'certificate');
    assert.equal(strong.claims().sub, claims.sub, 'same member, same pairwise sub');
    const strongInfo = await client.fetchUserInfo(config, strong.access_token, claims.sub);
    assert.equal(strongInfo.tw_national_id, 'A123456789', 'national ID at certificate level');

    // 4. RP-initiated logout with id_token_hint and a registered post-logout URI.
    await page.goto(client.buildEndSessionUrl(config, {
      id_token_hint: strong.id_token, post_logout_redirect_uri: `${rpBase}/bye`, state: 'bye-1',
    }).href);
    const bye = await untilRp(page, '/bye');
    assert.equal(bye.searchParams.get('state'), 'bye-1');
    const me = await page.request.get(`${base}/api/v1/me`);
    assert.equal(me.status(), 401, 'signed out of Tessera');
    // Without a hint the member is asked first.
    await page.goto(`${base}/oidc/logout`);
    await audit(page, 'oidc-logout');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('back office: the client page is for staff operators only, and fits 375 px', async () => {
  const anonymous = await fetch(`${base}/admin/oidc/clients`, { redirect: 'manual' });
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.headers.get('location') || '', /^\/admin\/login\?next=/);
  execFileSync(BIN, [
    '--data-dir', join(work, 'data'), 'admin', 'staff', 'add', 'op001', '--role', 'operator',
    '--name', '林維運', '--email', 'op001@example.gov.tw', '--password-stdin',
  ], { input: `${PASSWORD}\n` });
  for (const width of [375, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-TW' });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/admin/oidc/clients`);
      await page.waitForURL('**/admin/login?next=*');
      await page.fill('#f-username', 'op001');
      await page.fill('#f-password', PASSWORD);
      await Promise.all([
        page.waitForURL('**/admin/oidc/clients'),
        page.getByRole('button', { name: '登入', exact: true }).click(),
      ]);
      await page.fill('#name', `後臺測試 ${width}`);
      await page.fill('#redirect_uris', `${rpBase}/admin-cb`);
      await page.getByRole('button', { name: '新增', exact: true }).click();
      await page.getByText('密鑰只顯示這一次').waitFor();
      assert.match(await page.locator('main').innerText(), /client_secret/);
      await audit(page, `oidc-admin-${width}`);
      await fitsWidth(page, `oidc-admin at ${width}px`);
      await shot(page, `oidc-03-admin-${width}`);
    } finally {
      await context.close();
    }
  }
});
