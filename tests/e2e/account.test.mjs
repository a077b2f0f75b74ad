// The member-account journey in a real browser, at 375 px and at 1280 px:
// register (solving the real ALTCHA) → verify the email from the Maildir → sign in → edit the
// profile with a CJK Extension B name → sign out → 5 wrong passwords (CAPTCHA from the 3rd
// failure on) → locked → reset by email link → sign in with the new password. axe-core runs
// on every page visited; screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DATA, audit, fitsWidth, launch, openPage, shot, solveCaptcha } from './browser.mjs';
import { waitForLink } from './mail.mjs';

const PASSWORD = 'Tessera2026ok';
const NEW_PASSWORD = 'Renewed2027ok';
const RARE_NAME = '𡘙林';
const seenMail = new Set();
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Visits the current page as a user would check it: accessible, fits, screenshot. */
async function check(page, name, tag) {
  await audit(page, name);
  await fitsWidth(page, name);
  await shot(page, `${tag}-${name}`);
}

async function submit(page, button, urlPart) {
  await Promise.all([
    page.waitForURL((u) => u.href.includes(urlPart), { waitUntil: 'load' }),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
}

async function wrongPassword(page, username, attempt) {
  await page.fill('#f-username', username);
  await page.fill('#f-password', `Wrong${attempt}pass2026`);
  if (await page.locator('altcha-widget').count()) await solveCaptcha(page);
  await Promise.all([
    page.waitForLoadState('load'),
    page.waitForNavigation(),
    page.getByRole('button', { name: '登入', exact: true }).click(),
  ]);
}

for (const [width, height] of [
  [375, 812],
  [1280, 900],
]) {
  test(`member journey at ${width}px`, async () => {
    const tag = `${width}`;
    const username = `E2e${width}${Date.now().toString(36).slice(-5)}`;
    const email = `${username.toLowerCase()}@example.tw`;
    const { context, page, problems } = await openPage(browser, width, height);
    const t0 = Date.now();
    try {
      // Home, then 加入會員.
      await page.goto(`${BASE}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-TW');
      await check(page, '01-home', tag);
      // Keyboard: the first Tab shows the skip link, Enter jumps to the main content.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
      const box = await page.locator('.skip-link').boundingBox();
      assert.ok(box && box.y >= 0, 'the focused skip link is on screen');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
      await page.getByRole('link', { name: '加入會員', exact: true }).first().click();
      await page.waitForURL('**/register');
      await check(page, '02-register', tag);

      // A first try with mistakes: each is told next to its field and in the summary.
      await page.fill('#f-username', '1bad');
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password_confirm', `${PASSWORD}x`);
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.getByRole('button', { name: '建立我的帳戶', exact: true }).click(),
      ]);
      const errors = page.getByRole('alert');
      await errors.waitFor();
      assert.match(await errors.innerText(), /帳號需設 5-15 字元的英文字母、數字/);
      assert.equal(await page.getAttribute('#f-username', 'aria-invalid'), 'true');
      assert.match(await page.getAttribute('#f-username', 'aria-describedby'), /f-username-error/);
      assert.match(await page.locator('#f-password_confirm-error').innerText(), /兩次輸入的密碼不一致/);
      assert.equal(await page.inputValue('#f-username'), '1bad', 'typed values are kept');
      await check(page, '02b-register-errors', tag);

      await page.fill('#f-username', username);
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password_confirm', PASSWORD);
      await page.fill('#f-name', '王小明');
      await page.fill('#f-email', email);
      await page.fill('#f-mobile', '0911123456');
      await page.check('#f-accept_terms');
      await solveCaptcha(page);
      await submit(page, '建立我的帳戶', '/register/done');
      await assert.doesNotReject(page.getByText('我們已寄出驗證信').waitFor());
      await check(page, '03-registered', tag);

      // The verification email, read from the Maildir; the link shows a button, not a result.
      const { link: verifyLink, message } = await waitForLink(DATA, email, `${BASE}/verify-email?token=`, seenMail);
      assert.match(message.subject, /驗證/);
      assert.match(message.text, /王小明/);
      await page.goto(verifyLink);
      await check(page, '04-verify-landing', tag);
      await submit(page, '確認驗證電子信箱', '/login');
      await page.getByText('電子信箱驗證完成。').waitFor();
      await check(page, '05-login-verified', tag);

      // Sign in → 會員中心.
      await page.fill('#f-username', username);
      await page.fill('#f-password', PASSWORD);
      await submit(page, '登入', '/account');
      await page.getByText('登入成功').waitFor();
      assert.match(await page.locator('.facts').innerText(), /已驗證/);
      await check(page, '06-account', tag);

      // Edit the profile with a CJK Extension B name.
      await page.getByRole('link', { name: '修改個人資料' }).click();
      await page.waitForURL('**/account/profile');
      await check(page, '07-profile', tag);
      await page.fill('#f-name', RARE_NAME);
      await page.fill('#f-landline', '0212345678#12345');
      await submit(page, '儲存', '/account');
      await page.getByText('個人資料已更新。').waitFor();
      assert.equal(await page.locator('#profile-name').innerText(), RARE_NAME);
      await check(page, '08-account-saved', tag);

      // Sign out.
      await submit(page, '登出', `${BASE}/`);
      await page.getByText('您已登出。').waitFor();
      await check(page, '09-signed-out', tag);

      // Five wrong passwords: the widget appears after the first failure and is solved each
      // time; from the 3rd failure on the server requires it.
      await page.goto(`${BASE}/login`);
      assert.equal(await page.locator('altcha-widget').count(), 0, 'no CAPTCHA before a failure');
      for (let attempt = 1; attempt <= 4; attempt++) {
        await wrongPassword(page, username, attempt);
        await page.getByText('帳號或密碼錯誤。').waitFor();
        assert.equal(await page.locator('altcha-widget').count(), 1, 'CAPTCHA shown after a failure');
        if (attempt === 3) {
          await check(page, '10-login-captcha', tag);
          // After 3 failures the server itself demands the CAPTCHA: a submission that
          // bypasses the widget (no focus, so it never starts) is refused for that reason.
          await Promise.all([
            page.waitForNavigation({ waitUntil: 'load' }),
            page.evaluate((u) => {
              // The error summary's autofocus puts focus in the form, which starts the widget
              // (auto="onfocus"); take the widget out so the submission really bypasses it.
              document.querySelector('altcha-widget')?.remove();
              document.querySelector('#f-username').value = u;
              document.querySelector('#f-password').value = 'Wrong9pass2026';
              document.querySelector('form[action="/login"]').requestSubmit();
            }, username),
          ]);
          assert.match(await page.getByRole('alert').innerText(), /請先完成人機驗證/);
        }
      }
      await wrongPassword(page, username, 5);
      const summary = page.getByRole('alert');
      await summary.waitFor();
      assert.match(await summary.innerText(), /密碼連續輸入錯誤 5 次，帳號已停用/);
      await check(page, '11-locked', tag);
      // Even the right password is refused now.
      await page.fill('#f-password', PASSWORD);
      await solveCaptcha(page);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '登入', exact: true }).click()]);
      assert.match(await page.getByRole('alert').innerText(), /帳號已停用/);

      // 忘記密碼 → reset link by email.
      await page.getByRole('link', { name: /前往「忘記密碼」/ }).click();
      await page.waitForURL('**/password/forgot');
      await check(page, '12-forgot', tag);
      await page.fill('#f-username', username);
      await page.fill('#f-email', email);
      await submit(page, '寄送重設連結', '/password/forgot/sent');
      await check(page, '13-reset-sent', tag);
      const { link: resetLink } = await waitForLink(DATA, email, `${BASE}/password/reset?token=`, seenMail);
      await page.goto(resetLink);
      await check(page, '14-reset-form', tag);
      await page.fill('#f-new_password', NEW_PASSWORD);
      await page.fill('#f-new_password_confirm', NEW_PASSWORD);
      await submit(page, '設定新密碼', '/login');
      await page.getByText('密碼已重設，帳號已解除停用').waitFor();
      await check(page, '15-login-after-reset', tag);

      // Sign in with the new password.
      await page.fill('#f-username', username);
      await page.fill('#f-password', NEW_PASSWORD);
      await Promise.all([
        page.waitForURL('**/account', { waitUntil: 'load' }),
        page.press('#f-password', 'Enter'),
      ]);
      assert.equal(await page.locator('#profile-name').innerText(), RARE_NAME);
      await check(page, '16-account-again', tag);

      // The same page in English, through the switch.
      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL('**/account');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.getByRole('heading', { name: 'My account' }).waitFor();
      await check(page, '17-account-en', tag);

      assert.deepEqual(problems, [], 'console errors (CSP violations, script errors)');
    } finally {
      console.log(`# ${width}px journey: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await context.close();
    }
  });
}
