// Shared helpers of the browser end-to-end test: launching Debian's Chromium through
// playwright-core (never a downloaded browser), running axe-core on a page, solving the real
// ALTCHA widget, screenshots, and checks a user would notice (no sideways scrolling).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

export const BASE = process.env.TESSERA_E2E_BASE || 'http://127.0.0.1:8080';
export const DATA = process.env.TESSERA_E2E_DATA || './tessera-data';
export const RESULTS = new URL('./test-results/', import.meta.url).pathname;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.TESSERA_E2E_CHROMIUM || '/usr/bin/chromium',
    args: ARGS,
  });
}

/**
 * A fresh context (cookies, language) at one viewport, collecting console problems.
 * `signerAbsent`: the test runs no local signer, so the certificate pages' probe of the
 * default signer origin (http://127.0.0.1:61161) failing to connect is expected, not a problem;
 * every other failed load still is.
 */
export async function openPage(browser, width, height, { signerAbsent = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: 'zh-TW',
    extraHTTPHeaders: { 'Accept-Language': 'zh-TW,zh;q=0.9' },
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' || /status of 4\d\d/.test(m.text())) return;
    const probe = signerAbsent && /ERR_CONNECTION_REFUSED/.test(m.text())
      && (m.location().url || '').startsWith('http://127.0.0.1:61161/');
    if (!probe) problems.push(`${m.text()} (${m.location().url || 'page'})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

/** Fails on any axe-core violation of impact serious or critical; returns all violations. */
export async function audit(page, label) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }),
  );
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `axe on ${label} (${page.url()})`);
  for (const v of result.violations) {
    console.log(`# axe ${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  return result.violations;
}

/** The page fits the viewport's width: nothing to scroll sideways. */
export async function fitsWidth(page, label) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${label}: page is ${scroll}px wide in a ${inner}px viewport`);
}

export async function shot(page, name) {
  await mkdir(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

/**
 * Lets the real ALTCHA widget solve its proof-of-work: focusing the form starts it
 * (auto="onfocus"); if it has not started, tick 「我不是機器人」 as a person would.
 */
export async function solveCaptcha(page) {
  const widget = page.locator('altcha-widget');
  await widget.waitFor();
  const state = () => page.locator('altcha-widget .altcha').getAttribute('data-state');
  if ((await state()) === 'unverified') {
    await page.waitForTimeout(300);
    if ((await state()) === 'unverified') await widget.locator('input[type=checkbox]').check();
  }
  await page.waitForFunction(
    () => document.querySelector('altcha-widget input[name=captcha]')?.value,
    null,
    { timeout: 60_000 },
  );
  assert.equal(await state(), 'verified');
}
