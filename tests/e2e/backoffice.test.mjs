// The back office (後臺) in Debian's Chromium. This file starts its own tessera (a test PKI as
// trust directory, CRL revocation) on a free loopback port, loads the organization registry
// with `tessera admin orgs import` and creates staff with `tessera admin staff add`, then:
// an applicant's organization card that does not match the registry files a review case
// through the JSON API (the card signature made by `openssl cms -sign`); a staff member
// signs in on /admin/login, approves the case on the review pages, and finds the
// organization in the registry pages. A reviewer-only account is refused the registry.
// axe-core runs on every page; each is checked at 375 px and 1280 px; screenshots go to
// test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, fitsWidth, launch, openPage, shot } from './browser.mjs';
import { freePort, healthy } from './net.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const BIN = process.env.TESSERA_E2E_BIN || join(TARGET, 'debug/tessera');
const PASSWORD = 'Tessera2026ok';
const SCHOOL = 'B0002';

let work;
let manifest;
let tessera;
let base;
let browser;

/** `tessera admin …` on the server's data directory. */
function admin(args, input) {
  return execFileSync(BIN, ['--data-dir', join(work, 'data'), 'admin', ...args], { encoding: 'utf8', input });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-backoffice-'));
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
  // The registry: the school's OID differs from the one its XCA card carries (review needed).
  const csv = join(work, 'orgs.csv');
  await writeFile(csv, [
    'agency_code,name,organization_oid,kind',
    'A0001,國家發展委員會,2.16.886.101.20003.20065,agency',
    `${SCHOOL},臺北市立建國高級中學,2.16.886.101.99999.1,school`,
  ].join('\n'));
  admin(['orgs', 'import', csv]);
  admin(['staff', 'add', 'staff01', '--role', 'reviewer', '--role', 'operator',
    '--name', '林審核', '--email', 'staff01@example.gov.tw', '--password-stdin'], `${PASSWORD}\n`);
  admin(['staff', 'add', 'rev02', '--role', 'reviewer',
    '--name', '陳審核', '--email', 'rev02@example.gov.tw', '--password-stdin'], `${PASSWORD}\n`);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (tessera && tessera.exitCode === null) {
    const exited = new Promise((r) => tessera.once('exit', r));
    tessera.kill();
    await exited;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

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

/** The applicant's side, through the JSON API: the school's card → contact details → a case. */
async function fileReviewCase() {
  const context = await browser.newContext();
  try {
    const api = context.request;
    const post = async (path, data, status) => {
      const r = await api.post(`${base}${path}`, { data, headers: { origin: base } });
      assert.equal(r.status(), status, `${path}: ${await r.text()}`);
      return r.status() === 204 ? null : r.json();
    };
    const { flow_id: flow } = await post('/api/v1/org-flows', { kind: 'register' }, 201);
    await post(`/api/v1/org-flows/${flow}/terms`, { agree: true }, 200);
    const { challenge_id: challengeId, tbs } = await post('/api/v1/cert/challenges', { purpose: 'org-register' }, 201);
    const signature = await cardSign('org-school', Buffer.from(tbs, 'base64'));
    const step = await post(`/api/v1/org-flows/${flow}/org-certificate`,
      { agency_code: SCHOOL, challenge_id: challengeId, signature }, 200);
    assert.equal(step.step, 'contact', 'the mismatching card asks for contact details');
    const filed = await post(`/api/v1/org-flows/${flow}/contact`,
      { name: '林申請', phone: '(02)2192-7111', email: 'applicant@example.tw' }, 202);
    assert.equal(filed.notice.code, 'org_review_pending');
  } finally {
    await context.close();
  }
}

/** Signs `username` in on /admin/login; lands on the back-office home page. */
async function signIn(page, username) {
  await page.goto(`${base}/admin/reviews`);
  await page.waitForURL('**/admin/login?next=*');
  await page.fill('#f-username', username);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([
    page.waitForURL('**/admin/reviews'),
    page.getByRole('button', { name: '登入', exact: true }).click(),
  ]);
}

/** axe, and no sideways scrolling at 375 px and 1280 px. */
async function check(page, label) {
  await audit(page, label);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await fitsWidth(page, `${label} at ${width}px`);
    await shot(page, `backoffice-${label}-${width}`);
  }
}

test('a staff member approves a pending review case and finds the organization', async () => {
  await fileReviewCase();
  const { context, page, problems } = await openPage(browser, 375, 900);
  try {
    await page.goto(`${base}/admin/login`);
    await check(page, 'login');
    await signIn(page, 'staff01');
    assert.match(await page.locator('main').innerText(), /已登入後臺[\s\S]*待審核：共 1 件/);
    await check(page, 'reviews');
    await page.getByRole('link', { name: new RegExp(`${SCHOOL} 臺北市立建國高級中學`) }).click();
    await page.waitForURL('**/admin/reviews/*');
    const detail = await page.locator('main').innerText();
    assert.match(detail, /2\.16\.886\.101\.90028\.20002/, 'the card OID');
    assert.match(detail, /2\.16\.886\.101\.99999\.1/, 'the registry OID beside it');
    await check(page, 'review');
    // Rejecting without a reason is refused next to the field.
    await page.getByRole('button', { name: '退件', exact: true }).click();
    await page.locator('#reason-error').waitFor();
    await audit(page, 'review-error');
    await page.getByRole('button', { name: '核准', exact: true }).click();
    await page.getByText('已核准此案件，並以電子郵件通知申請人。').waitFor();
    assert.match(await page.locator('main').innerText(), /審核人員[\s\S]*staff01/);
    await check(page, 'review-approved');
    // The queue is empty; the organization is in the registry.
    await page.getByRole('link', { name: '審核案件', exact: true }).first().click();
    assert.match(await page.locator('main').innerText(), /待審核：共 0 件/);
    await page.getByRole('link', { name: '機關資料', exact: true }).first().click();
    await page.fill('#q', SCHOOL);
    await page.getByRole('button', { name: '查詢', exact: true }).click();
    await check(page, 'orgs');
    await page.getByRole('link', { name: new RegExp(`${SCHOOL} 臺北市立建國高級中學`) }).click();
    await page.waitForURL(`**/admin/orgs/${SCHOOL}`);
    assert.match(await page.locator('main').innerText(), /2\.16\.886\.101\.99999\.1[\s\S]*尚未註冊/);
    await check(page, 'org');
    await page.getByRole('button', { name: /^登出/ }).click();
    await page.waitForURL('**/admin/login');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a reviewer is refused the registry pages', async () => {
  const { context, page } = await openPage(browser, 1280, 900);
  try {
    await signIn(page, 'rev02');
    const r = await page.goto(`${base}/admin/orgs`);
    assert.equal(r.status(), 403);
    assert.match(await page.locator('main').innerText(), /您的後臺角色無權執行此操作/);
    await check(page, 'forbidden');
    const clients = await page.goto(`${base}/admin/oidc/clients`);
    assert.equal(clients.status(), 403);
  } finally {
    await context.close();
  }
});
