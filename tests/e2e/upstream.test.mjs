// 「使用 Google 登入」 (seed 004 二 Q6–Q7) in a real browser, at 375 px and at
// 1280 px. This file starts panva `oidc-provider` (npm, pinned in package.json) in-process on a
// free loopback port as the upstream "Google" — a client registered with Tessera's redirect URI,
// its built-in development login and consent pages on — and its own tessera configured with that
// issuer in `[[upstream]]` (client secret from the environment). Through Tessera's pages: register
// an account (its address verified from the Maildir) → 使用 Google 登入 → sign in at the provider → bind the account with its password →
// sign out → 使用 Google 登入 signs straight in → 管理外部帳號 lists the link (provider, email seen,
// dates) → 移除 → signing in with Google asks to bind again. axe-core runs on every Tessera page
// visited; screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { audit, fitsWidth, launch, openPage, shot, solveCaptcha } from './browser.mjs';
import { verifyEmail } from './mail.mjs';
import { freePort, healthy } from './net.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const BIN = process.env.TESSERA_E2E_BIN || join(TARGET, 'debug/tessera');
const PASSWORD = 'Tessera2026ok';
const CLIENT_ID = 'tessera-e2e';
const CLIENT_SECRET = `e2e-${Math.random().toString(36).slice(2)}-secret`;

let work;
let tessera;
let base;
let issuer;
let idp;
let browser;

/** The stand-in "Google": anyone who types a login name is that person, with a verified email. */
async function startProvider(port, redirectUri) {
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: [`e2e-cookies-${Math.random()}`] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: `${id}@gmail.example`, email_verified: true, name: '王小明' };
        },
      };
    },
  });
  return new Promise((resolve) => {
    const server = provider.listen(port, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-upstream-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startProvider(await freePort(), `${base}/upstream/google/callback`);
  const config = join(work, 'tessera.toml');
  await writeFile(config, [
    '[[upstream]]',
    'id = "google"',
    'name_zh = "Google"',
    'name_en = "Google"',
    `issuer = "${issuer}"`,
    `client_id = "${CLIENT_ID}"`,
    'client_secret_env = "TESSERA_E2E_UPSTREAM_SECRET"',
    '',
  ].join('\n'));
  tessera = spawn(BIN, [
    'serve', '--config', config, '--listen', `127.0.0.1:${port}`, '--data-dir', join(work, 'data'),
  ], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TESSERA_LOG: 'warn', TESSERA_E2E_UPSTREAM_SECRET: CLIENT_SECRET },
  });
  await healthy(base);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  tessera?.kill();
  await new Promise((r) => (idp ? idp.close(r) : r()));
  if (work) await rm(work, { recursive: true, force: true });
});

/** Checks a Tessera page as a user would meet it: accessible, fits the width, screenshot. */
async function check(page, name, tag) {
  await audit(page, name);
  await fitsWidth(page, name);
  await shot(page, `${tag}-upstream-${name}`);
}

async function click(page, name, urlPart, role = 'button') {
  await Promise.all([
    page.waitForURL((u) => u.href.includes(urlPart), { waitUntil: 'domcontentloaded' }),
    page.getByRole(role, { name, exact: true }).click(),
  ]);
}

/** 會員登入 → 使用 Google 登入; at the provider sign in as `person` (and consent) when asked. */
async function signInWithGoogle(page, person, landing) {
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: '使用 Google 登入', exact: true }).click();
  for (let step = 0; step < 6; step += 1) {
    await page.waitForURL((u) => u.href.startsWith(issuer) || u.href.startsWith(`${base}${landing}`), {
      waitUntil: 'domcontentloaded',
    });
    if (page.url().startsWith(`${base}${landing}`)) break;
    const login = page.locator('input[name=login]');
    const consent = page.getByRole('button', { name: 'Continue', exact: true });
    // Either a form of the provider shows, or it already sent the browser back.
    const seen = await Promise.race([
      login.or(consent).first().waitFor().then(() => 'form', () => 'none'),
      page.waitForURL((u) => u.href.startsWith(`${base}${landing}`)).then(() => 'back', () => 'none'),
    ]);
    if (seen === 'back') break;
    const before = page.url();
    if (await login.count()) {
      await login.fill(person);
      await page.locator('input[name=password]').fill('anything at the stand-in provider');
      await page.getByRole('button', { name: 'Sign-in', exact: true }).click();
    } else {
      await consent.click();
    }
    await page.waitForURL((u) => u.href !== before, { waitUntil: 'domcontentloaded' });
  }
  await page.waitForURL((u) => u.href.startsWith(`${base}${landing}`), { waitUntil: 'load' });
}

/** 登出 from the header, back on the home page. */
async function signOut(page) {
  await Promise.all([
    page.waitForURL(`${base}/`, { waitUntil: 'load' }),
    page.getByRole('button', { name: '登出', exact: true }).click(),
  ]);
}

for (const [width, height] of [
  [375, 812],
  [1280, 900],
]) {
  test(`link, sign in with and unlink the upstream "Google" at ${width}px`, async () => {
    const tag = `${width}`;
    const username = `Up${width}${Date.now().toString(36).slice(-5)}`;
    const person = `google-${username.toLowerCase()}`;
    const { context, page, problems } = await openPage(browser, width, height);
    // oidc-provider's development pages import a web font; loopback only here: answer locally.
    await context.route(/^https:\/\/fonts\.googleapis\.com\//, (r) => r.fulfill({ contentType: 'text/css', body: '' }));
    try {
      // An ordinary member account first, its address verified from the Maildir.
      await page.goto(`${base}/register`);
      await page.fill('#f-username', username);
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password_confirm', PASSWORD);
      await page.fill('#f-name', '王小明');
      await page.fill('#f-email', `${username.toLowerCase()}@example.tw`);
      await page.check('#f-accept_terms');
      await solveCaptcha(page);
      await click(page, '建立我的帳戶', '/register/done');
      await verifyEmail(page, base, join(work, 'data'), `${username.toLowerCase()}@example.tw`);

      // 使用 Google 登入: verified by the provider, but not linked yet → 綁定帳號.
      await page.goto(`${base}/login`);
      await check(page, '01-login', tag);
      await signInWithGoogle(page, person, '/upstream/bind');
      assert.equal(await page.locator('h1').innerText(), '綁定帳號');
      const verified = await page.locator('.panel-success').innerText();
      assert.ok(verified.includes(`您已通過 Google 驗證（${person}@gmail.example）`), verified);
      await check(page, '02-bind', tag);

      // A wrong password is refused like a sign-in; then the right one binds and signs in.
      await page.fill('#f-username', username);
      await page.fill('#f-password', 'Wrong2026pass');
      await click(page, '綁定並登入', '/upstream/bind');
      assert.match(await page.locator('.error-summary').innerText(), /帳號或密碼錯誤/);
      await check(page, '03-bind-wrong', tag);
      await page.fill('#f-password', PASSWORD);
      if (await page.locator('altcha-widget').count()) await solveCaptcha(page);
      await click(page, '綁定並登入', '/account');
      assert.match(await page.locator('.flash').innerText(), /帳號綁定成功，您已登入/);

      // 管理外部帳號 lists the link.
      await page.getByRole('link', { name: '管理外部帳號', exact: true }).click();
      await page.waitForURL('**/account/external');
      const card = page.locator('li.card');
      assert.equal(await card.count(), 1);
      const facts = await card.innerText();
      assert.ok(facts.includes(`${person}@gmail.example`), facts);
      // Times in the ROC calendar, Asia/Taipei (「115年12月07日14點36分」).
      assert.match(facts, /建立關聯時間\s+\d{2,3}年\d\d月\d\d日\d\d點\d\d分/);
      assert.match(facts, /最近使用時間\s+\d{2,3}年\d\d月\d\d日\d\d點\d\d分/, 'binding signed in with it');
      await check(page, '04-links', tag);

      // Sign out; 使用 Google 登入 now signs straight in (the provider remembers the person).
      await signOut(page);
      await signInWithGoogle(page, person, '/account');
      assert.match(await page.locator('.flash').innerText(), /登入成功/);
      assert.equal(await page.locator('.facts dd').first().innerText(), username);

      // 移除 the link; the list says there is none.
      await page.goto(`${base}/account/external`);
      await click(page, '移除 Google 關聯', '/account/external');
      assert.match(await page.locator('.flash').innerText(), /已移除外部帳號關聯/);
      assert.equal(await page.locator('li.card').count(), 0);
      await check(page, '05-unlinked', tag);

      // Signed out, 使用 Google 登入 asks to bind again.
      await signOut(page);
      await signInWithGoogle(page, person, '/upstream/bind');
      assert.equal(await page.locator('h1').innerText(), '綁定帳號');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
