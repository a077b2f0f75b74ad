// Citizen-certificate registration and sign-in in a real browser, through the real
// tessera-signer on a SoftHSM2 card (PIN typed in the signer's own window), with revocation
// answered by a real `openssl ocsp` responder. Tessera, the signer and the responder run on
// free loopback ports (cert-env.mjs). "Inserting another card" restarts the signer on the
// same port with that card's token. axe-core runs on every page; screenshots in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { audit, fitsWidth, launch, openPage, shot, solveCaptcha } from './browser.mjs';
import { verifyEmail } from './mail.mjs';
import {
  CARD_PIN, freePort, makeCard, startOcsp, startSigner, startTessera, testPki, workDir,
} from './cert-env.mjs';

const PASSWORD = 'Card2026pass';
let work;
let pki;
let ocsp;
let tessera;
let signer;
let signerPort;
let browser;
const cards = {};

before(async () => {
  work = await workDir();
  pki = await testPki(join(work.dir, 'pki'));
  ocsp = await startOcsp(pki, 'moica-test');
  signerPort = await freePort();
  tessera = await startTessera({
    dir: work.dir, pki, ocspUrl: ocsp.url, signerUrl: `http://127.0.0.1:${signerPort}`,
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await signer?.stop();
  await tessera?.stop();
  await ocsp?.stop();
  await work?.cleanup();
});

/** Puts `entity`'s card in the reader: the signer restarts on the same port with its token. */
async function insertCard(entity) {
  await signer?.stop();
  signer = null;
  if (!cards[entity]) {
    const e = pki.entity(entity);
    cards[entity] = await makeCard(join(work.dir, `card-${entity}`), {
      cert: pki.path(e.cert), key: pki.path(e.key), label: entity,
    });
  }
  signer = await startSigner({ card: cards[entity], port: signerPort, allowOrigin: tessera.base });
  return pki.entity(entity);
}

async function check(page, name) {
  await audit(page, name);
  await fitsWidth(page, name);
  await shot(page, `cert-${name}`);
}

/** Presses a signing button, types `pin` in the signer's window; resolves the popup. */
async function signWithCard(page, button, pin = CARD_PIN) {
  const opened = page.waitForEvent('popup');
  await page.getByRole('button', { name: button, exact: true }).click();
  const popup = await opened;
  await popup.waitForSelector('#pin-input');
  await popup.fill('#pin-input', pin);
  await popup.click('#pin-ok');
  return popup;
}

/** Signs with the card and waits for the page the server answers with (at `urlPart`). */
async function signAndWait(page, button, urlPart) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), signWithCard(page, button)]);
  assert.ok(page.url().includes(urlPart), `expected ${urlPart}, at ${page.url()}`);
}

async function signInWithPassword(page, username, password) {
  await page.goto(`${tessera.base}/login`);
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await Promise.all([
    page.waitForURL('**/account'),
    page.getByRole('button', { name: '登入', exact: true }).click(),
  ]);
}

async function signOut(page) {
  await Promise.all([
    page.waitForURL(`${tessera.base}/`),
    page.getByRole('button', { name: '登出', exact: true }).click(),
  ]);
}

async function loa(page) {
  const r = await page.request.get(`${tessera.base}/api/v1/me`);
  return r.ok() ? (await r.json()).loa : `HTTP ${r.status()}`;
}

async function fillRegistration(page, nationalId, email) {
  await page.fill('#f-national_id', nationalId);
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-password_confirm', PASSWORD);
  if (!(await page.isChecked('#f-accept_terms'))) await page.check('#f-accept_terms');
  await solveCaptcha(page);
}

test('a citizen registers with the card, signs out, signs in with the password, then with the card; a replayed signature is refused', async () => {
  const wang = await insertCard('citizen-wang');
  const li = pki.entity('citizen-li');
  const { context, page, problems } = await openPage(browser, 1280, 900);
  try {
    await page.goto(`${tessera.base}/login`);
    await page.getByRole('link', { name: '自然人憑證註冊' }).click();
    await page.waitForURL('**/register/certificate');
    await check(page, '01-register');

    // The typed ID must match the card: 李大同's ID with 王小明's card is refused.
    await fillRegistration(page, li.national_id, 'wang@example.tw');
    await signAndWait(page, '以自然人憑證簽章並註冊', '/register/certificate');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /您輸入的身分證字號與憑證內的資料不符/);
    await check(page, '02-register-mismatch');

    await fillRegistration(page, wang.national_id, 'wang@example.tw');
    await signAndWait(page, '以自然人憑證簽章並註冊', '/register/done');
    await page.getByText('會員註冊成功').waitFor();
    await check(page, '03-registered');

    // ID + password (000 Q3): the account is the national ID, the card is bound to it. The
    // address is not verified yet: 會員中心 says why the account is limited and what to do.
    await signInWithPassword(page, wang.national_id, PASSWORD);
    assert.equal(await loa(page), 'password');
    const notice = await page.locator('#email-unverified').innerText();
    assert.match(notice, /請先完成電子郵件信箱驗證/);
    assert.ok(notice.includes('wang@example.tw'), notice);
    const certs = page.locator('#certificates');
    assert.match(await certs.innerText(), new RegExp(wang.serial));
    await check(page, '04-account-password');
    await signOut(page);

    // The card signs in at level certificate; the signed form is kept for the replay below.
    await page.goto(`${tessera.base}/login`);
    await check(page, '05-login');
    let signedForm = null;
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/login/certificate')) signedForm = req.postData();
    });
    await signAndWait(page, '憑證登入', '/account');
    await page.getByText('已使用自然人憑證登入').waitFor();
    assert.equal(await loa(page), 'certificate');
    assert.ok(signedForm && signedForm.includes('signature='), 'the signed form was posted');
    await check(page, '06-account-card');
    await signOut(page);

    // The same signed answer posted again is refused: the challenge is single use.
    const replay = await page.request.post(`${tessera.base}/login/certificate`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      data: signedForm,
      maxRedirects: 0,
    });
    assert.equal(replay.status(), 400);
    assert.match(await replay.text(), /驗證碼已使用或無效，請重新操作/);
    assert.equal(await loa(page), 'HTTP 401', 'the replay did not sign in');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an unbound card goes through binding: wrong ID refused, 〔移除〕, password, 憑證綁定成功', async () => {
  const chen = pki.entity('citizen-chen');
  const { context, page } = await openPage(browser, 375, 812);
  const suffix = Date.now().toString(36).slice(-4);
  const mine = `Chen${suffix}a`;
  const other = `Chen${suffix}b`;
  try {
    // Two member accounts registered with 陳美麗's ID, their addresses verified from the Maildir.
    for (const username of [mine, other]) {
      await page.goto(`${tessera.base}/register`);
      await page.fill('#f-username', username);
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password_confirm', PASSWORD);
      await page.fill('#f-name', '陳美麗');
      await page.fill('#f-email', `${username.toLowerCase()}@example.tw`);
      await page.fill('#f-national_id', chen.national_id);
      await page.check('#f-accept_terms');
      await solveCaptcha(page);
      await Promise.all([
        page.waitForURL('**/register/done'),
        page.getByRole('button', { name: '建立我的帳戶', exact: true }).click(),
      ]);
      await verifyEmail(page, tessera.base, tessera.data, `${username.toLowerCase()}@example.tw`);
    }

    await insertCard('citizen-chen');
    await page.goto(`${tessera.base}/login`);
    await signAndWait(page, '憑證登入', '/login/certificate/bind');
    await page.getByRole('heading', { name: '請輸入身分證字號' }).waitFor();
    await check(page, '10-bind-national-id');

    // A well-formed ID whose last four digits differ from the card's.
    await page.fill('#f-national_id', 'A123456789');
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: '確定' }).click()]);
    assert.match(await page.locator('.error-summary').innerText(), /您輸入的身分證字號與憑證內的資料不符/);
    await check(page, '11-bind-mismatch');

    await page.fill('#f-national_id', chen.national_id);
    await Promise.all([page.waitForURL('**/login/certificate/bind'), page.getByRole('button', { name: '確定' }).click()]);
    const list = page.locator('ul.cards');
    await list.waitFor();
    const listed = await list.innerText();
    assert.ok(listed.includes(mine) && listed.includes(other), listed);
    assert.match(listed, /陳○麗/, 'names are masked until proved');
    await check(page, '12-bind-list');

    // 〔移除〕 the account that is not mine: one is left, so its password is asked at once.
    await Promise.all([
      page.waitForURL('**/login/certificate/bind'),
      page.getByRole('button', { name: `移除 ${other}` }).click(),
    ]);
    await page.getByRole('heading', { name: '請輸入帳號密碼完成憑證綁定' }).waitFor();
    assert.ok((await page.locator('main').innerText()).includes(mine));
    assert.ok(!(await page.locator('main').innerText()).includes(other), 'removed from the list');
    await check(page, '13-bind-password');

    await page.fill('#f-password', 'Wrong2026pass');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '確認' }).click()]);
    assert.match(await page.locator('.error-summary').innerText(), /帳號或密碼錯誤/);

    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForURL('**/account'), page.getByRole('button', { name: '確認' }).click()]);
    await page.getByText('憑證綁定成功').waitFor();
    assert.equal(await loa(page), 'certificate');
    assert.match(await page.locator('#certificates').innerText(), new RegExp(chen.serial));
    await check(page, '14-bound');
    await signOut(page);

    // Bound now: the card signs straight in, no ID asked.
    await page.goto(`${tessera.base}/login`);
    await signAndWait(page, '憑證登入', '/account');
    assert.match(await page.locator('.facts').first().innerText(), new RegExp(mine));
  } finally {
    await context.close();
  }
});

test('a card revoked at the OCSP responder is refused with a clear message', async () => {
  await insertCard('citizen-lin-revoked');
  const { context, page } = await openPage(browser, 375, 812);
  try {
    await page.goto(`${tessera.base}/login`);
    await signAndWait(page, '憑證登入', '/login/certificate');
    const alert = page.locator('#cert-error');
    await alert.waitFor();
    assert.equal(await alert.innerText(), '憑證已被廢止。');
    await check(page, '20-revoked');
    assert.equal(await loa(page), 'HTTP 401');
  } finally {
    await context.close();
  }
});

test('signer problems are explained: cancelled, wrong PIN, not running', async () => {
  await insertCard('citizen-wang');
  const { context, page } = await openPage(browser, 1280, 900);
  const status = page.locator('form[data-cert-sign] [data-cert-status]');
  try {
    await page.goto(`${tessera.base}/login`);
    // Cancelled in the signer's window.
    const opened = page.waitForEvent('popup');
    await page.getByRole('button', { name: '憑證登入', exact: true }).click();
    const popup = await opened;
    await popup.waitForSelector('#pin-input');
    const closed = popup.waitForEvent('close');
    await popup.click('#pin-cancel');
    await page.waitForFunction(() => /取消/.test(document.querySelector('[data-cert-status]')?.innerText || ''));
    await closed; // the next click opens a new window, not this closing one
    assert.match(await status.innerText(), /您已取消動作/);

    // A wrong PIN: the card refuses it, the page says so (and nothing was posted).
    await signWithCard(page, '憑證登入', '000000');
    // (Not just /PIN/: the in-progress 「請在簽章元件視窗輸入 PIN 碼」 matches that too.)
    await page.waitForFunction(() => /PIN碼錯誤/.test(document.querySelector('[data-cert-status]')?.innerText || ''));
    assert.match(await status.innerText(), /IC卡登入失敗.*PIN碼錯誤/);
    assert.ok(page.url().endsWith('/login'));
    await check(page, '30-wrong-pin');

    // No signer: the page says so before anything is pressed, with the self-check link.
    await signer.stop();
    signer = null;
    await page.goto(`${tessera.base}/login`);
    await page.waitForFunction(() => /找不到簽章元件/.test(document.querySelector('[data-cert-status]')?.innerText || ''));
    assert.equal(await status.getByRole('link').getAttribute('href'), '/signer');
    await check(page, '31-no-signer');
  } finally {
    await context.close();
  }
});
