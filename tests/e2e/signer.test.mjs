// The signing component self-check (/signer) in a real browser. This file
// starts its own tessera (with --signer-url pointing at a free loopback port) and, per test,
// a tessera-signer on that port with a PKCS#12 soft token from the test PKI: first with no
// signer (the install guide), then with a pre-approved signer (version, the card and its
// certificate with validity dates; flagged when the browser's clock is near the expiry), then with a signer that does not know the site yet (the
// first-use approval in the component's own window; an expired certificate flagged).
// axe-core runs on each state; screenshots go to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, fitsWidth, launch, openPage, shot } from './browser.mjs';
import { freePort, healthy } from './net.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const BIN = process.env.TESSERA_E2E_BIN || join(TARGET, 'debug/tessera');
const SIGNER_BIN = process.env.TESSERA_E2E_SIGNER_BIN || join(TARGET, 'debug/tessera-signer');
const P12_PASSWORD = 'tessera-test';

let work;
let manifest;
let tessera;
let base;
let signerPort;
let signer;
let browser;

/** Starts tessera-signer on the port tessera was told about, with `entity`'s PKCS#12 file. */
function startSigner(entity, { approve }) {
  const e = manifest.entities.find((x) => x.id === entity);
  const args = [
    '--listen', `127.0.0.1:${signerPort}`,
    '--pkcs12', join(work, 'pki', e.p12), '--pkcs12-password-env', 'TESSERA_E2E_P12',
    '--approvals-file', join(work, `approvals-${entity}.json`),
  ];
  if (approve) args.push('--allow-origin', base);
  const child = spawn(SIGNER_BIN, args, {
    env: { ...process.env, TESSERA_E2E_P12: P12_PASSWORD, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      if (line.includes(`127.0.0.1:${signerPort}`)) resolve({ child, entity: e });
      else reject(new Error(`unexpected signer output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`tessera-signer exited with ${code}`)));
  });
}

async function stopSigner() {
  if (!signer) return;
  const { child } = signer;
  signer = null;
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill();
  await exited;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-signer-check-'));
  execFileSync(BIN, ['pki', 'init-test', '--out', join(work, 'pki')], { stdio: 'ignore' });
  manifest = JSON.parse(await readFile(join(work, 'pki', 'manifest.json'), 'utf8'));
  const port = await freePort();
  signerPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  tessera = spawn(BIN, [
    'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', join(work, 'data'),
    '--signer-url', `http://127.0.0.1:${signerPort}`,
  ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } });
  await healthy(base);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stopSigner();
  tessera?.kill();
  if (work) await rm(work, { recursive: true, force: true });
});

const statusText = (page) => page.locator('#signer-status').innerText();

async function waitForStatus(page, pattern) {
  await page.waitForFunction(
    (src) => new RegExp(src).test(document.getElementById('signer-status')?.innerText || ''),
    pattern.source,
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An ISO time as the page shows it: the date in the local time zone. */
function day(iso) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

test('with no signer running, the self-check explains how to install and start it', async () => {
  const { context, page } = await openPage(browser, 375, 812);
  try {
    await page.goto(`${base}/`);
    // This site has no certificates configured: the footer links the check on every page.
    await page.getByRole('link', { name: '跨平台網頁元件與 IC 卡自我檢測', exact: true }).click();
    await page.waitForURL('**/signer');
    assert.equal(await page.locator('h1').innerText(), '跨平台網頁元件與 IC 卡自我檢測');
    await waitForStatus(page, /找不到簽章元件/);
    const install = page.locator('#signer-install');
    await install.waitFor({ state: 'visible' });
    const text = await install.innerText();
    for (const needle of ['Windows', 'macOS', 'Linux', 'tessera-signer.service',
      'tw.tessera.signer.plist', 'systemctl --user enable --now tessera-signer', 'docs/signer.md',
      `http://127.0.0.1:${signerPort}`]) {
      assert.ok(text.includes(needle), `install guide lacks ${needle}`);
    }
    assert.equal(await page.locator('#signer-details').isVisible(), false);
    assert.equal(await page.locator('#signer-status').getAttribute('aria-live'), 'polite');
    await audit(page, 'signer-none');
    await fitsWidth(page, 'signer-none');
    await shot(page, '375-signer-none');

    // The same guide in English, through the page's language switch.
    await page.getByRole('link', { name: 'English' }).click();
    await waitForStatus(page, /No signing component found/);
    assert.match(await page.locator('#signer-install').innerText(), /Installing and starting/);
    await audit(page, 'signer-none-en');
  } finally {
    await context.close();
  }
});

test('a running, approved signer: version, the card and its certificate with validity', async () => {
  signer = await startSigner('citizen-wang', { approve: true });
  const { context, page, problems } = await openPage(browser, 1280, 900);
  try {
    await page.goto(`${base}/signer`);
    await waitForStatus(page, /檢測完成/);
    assert.match(await statusText(page), /版本 0\.1\.0/);
    assert.equal(await page.locator('#signer-version').innerText(), '0.1.0');
    assert.equal(await page.locator('#signer-product').innerText(), 'tessera-signer');
    assert.match(await page.locator('#signer-readers').innerText(), /已插入卡片/);
    const cert = page.locator('#signer-certs li.card');
    assert.equal(await cert.count(), 1);
    const text = await cert.innerText();
    assert.match(text, /王小明/);
    assert.match(text, /TP03000000000001/);
    assert.ok(text.includes(day(signer.entity.not_after)), `no expiry date in ${text}`);
    assert.match(text, /有效（剩 \d+ 天）/);
    assert.equal(await page.locator('#signer-install').isVisible(), false);
    assert.equal(await page.locator('#signer-approve').isVisible(), false);
    await audit(page, 'signer-ok');
    await fitsWidth(page, 'signer-ok');
    await shot(page, '1280-signer-ok');

    // Keyboard: 「重新檢測」 runs the check again and the result is announced again.
    await page.locator('#signer-recheck').focus();
    await page.keyboard.press('Enter');
    await waitForStatus(page, /檢測完成/);
    assert.deepEqual(problems, []);

    // Within 30 days of expiry the certificate is flagged (004 六 Q5): the same card seen
    // by a browser whose clock reads 10 days and an hour before the expiry.
    const soon = await openPage(browser, 375, 812);
    try {
      await soon.page.clock.setFixedTime(new Date(Date.parse(signer.entity.not_after) - 10 * DAY - HOUR));
      await soon.page.goto(`${base}/signer`);
      await waitForStatus(soon.page, /檢測完成/);
      assert.match(await soon.page.locator('#signer-certs').innerText(), /即將到期（剩 10 天）/);
      await audit(soon.page, 'signer-expiring');
      await fitsWidth(soon.page, 'signer-expiring');
      await shot(soon.page, '375-signer-expiring');
    } finally {
      await soon.context.close();
    }
  } finally {
    await context.close();
    await stopSigner();
  }
});

test('first use: the site is approved in the signer window; an expired certificate is flagged', async () => {
  signer = await startSigner('citizen-huang-expired', { approve: false });
  const { context, page } = await openPage(browser, 375, 812);
  try {
    await page.goto(`${base}/signer`);
    await waitForStatus(page, /尚未取得您的授權/);
    const button = page.getByRole('button', { name: '開啟簽章元件視窗並允許此網站' });
    await button.waitFor({ state: 'visible' });
    await audit(page, 'signer-approve');
    await fitsWidth(page, 'signer-approve');
    await shot(page, '375-signer-approve');

    const popupOpened = page.waitForEvent('popup');
    await button.click();
    const popup = await popupOpened;
    await popup.waitForSelector('#approve:not([hidden])');
    assert.ok((await popup.textContent('#approve')).includes(base), 'the window names the site');
    await popup.click('#approve-yes');

    await waitForStatus(page, /檢測完成/);
    // The approve button is gone; keyboard focus waits at the result's heading.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'check-title');
    const text = await page.locator('#signer-certs li.card').innerText();
    assert.match(text, /黃小華/);
    assert.ok(text.includes(day(signer.entity.not_after)), `no expiry date in ${text}`);
    assert.match(text, /已過期/);
    await audit(page, 'signer-expired');
    await fitsWidth(page, 'signer-expired');
    await shot(page, '375-signer-expired');
  } finally {
    await context.close();
    await stopSigner();
  }
});
