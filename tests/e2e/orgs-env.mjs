// The setting of the organization browser test (orgs.test.mjs) and the steps it takes
// on the pages: the test PKI with a renewed agency card (issued with `openssl x509 -req`, added
// to the OCSP index), `openssl ocsp` responders per CA (citizen, agency, organization cards),
// tessera trusting them, the registry imported and a reviewer created with the `tessera admin`
// CLI on the server's data, the real tessera-signer with the card "in the reader", and the
// page steps: sign with the card (PIN in the signer's window), terms → organization card →
// manager card, the details, opening an assignment, adding a handler (typed or 讀取憑證).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { audit, fitsWidth, launch, openPage, shot } from './browser.mjs';
import {
  BIN, CARD_PIN, freePort, makeCard, startOcsp, startSigner, startTessera, testPki, workDir,
} from './cert-env.mjs';

export const NDC = 'A0001';
export const SCHOOL = 'B0002';
export const PASSWORD = 'Org2026password';
export const STAFF_PASSWORD = 'Reviewer2026pass';
export const RENEWED_SERIAL = '7E57000000000001';

/** What the test runs on: { work, pki, tessera, config, browser, signer, signerPort, … }. */
export const env = { responders: [], cards: {}, files: {} };

/** The renewed NDC card: same subject, key and extensions, a new serial, known to OCSP. */
async function renewNdc(dir) {
  const e = env.pki.entity('agency-ndc');
  const ca = env.pki.manifest.cas.find((c) => c.name === 'gca-test');
  const req = join(dir, 'ndc-renewed.csr');
  const cert = join(dir, 'ndc-renewed.pem');
  execFileSync('openssl', ['x509', '-x509toreq', '-copy_extensions', 'copyall', '-in', env.pki.path(e.cert),
    '-signkey', env.pki.path(e.key), '-out', req], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-copy_extensions', 'copyall', '-days', '60',
    '-set_serial', `0x${RENEWED_SERIAL}`, '-in', req, '-CA', env.pki.path(ca.cert), '-CAkey', env.pki.path(ca.key),
    '-out', cert], { stdio: 'ignore' });
  const expiry = new Date(Date.now() + 60 * 86400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14);
  await appendFile(env.pki.path(env.pki.manifest.ocsp_index), `V\t${expiry}Z\t\t${RENEWED_SERIAL}\tunknown\t/CN=ndc-renewed\n`);
  env.files['agency-ndc-renewed'] = { cert, key: env.pki.path(e.key) };
}

function admin(args, input) {
  return execFileSync(BIN, ['--config', env.config, '--data-dir', env.tessera.data, 'admin', ...args], {
    input, env: { ...process.env, TESSERA_LOG: 'warn' },
  }).toString();
}

/** Puts a card in the reader: the signer restarts on the same port with its token. */
export async function insertCard(id) {
  await env.signer?.stop();
  env.signer = null;
  if (!env.cards[id]) {
    const f = env.files[id] || { cert: env.pki.path(env.pki.entity(id).cert), key: env.pki.path(env.pki.entity(id).key) };
    env.cards[id] = await makeCard(join(env.work.dir, `card-${id}`), { ...f, label: id.slice(0, 30) });
  }
  env.signer = await startSigner({ card: env.cards[id], port: env.signerPort, allowOrigin: env.tessera.base });
}

export async function check(page, name) {
  await audit(page, name);
  await fitsWidth(page, name);
  await shot(page, `orgs-${name}`);
}

/** Presses the signing button, types the PIN in the signer's window, waits for the answer page. */
export async function sign(page, button) {
  const opened = page.waitForEvent('popup');
  const navigated = page.waitForNavigation({ waitUntil: 'load' });
  await page.getByRole('button', { name: button, exact: true }).click();
  const popup = await opened;
  await popup.waitForSelector('#pin-input');
  await popup.fill('#pin-input', CARD_PIN);
  await popup.click('#pin-ok');
  await navigated;
}

export async function click(page, name, role = 'button') {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole(role, { name, exact: true }).click()]);
}

export async function newPage() {
  const { page } = await openPage(env.browser, 375, 812);
  return page;
}

/** Terms → organization card → manager card, as every registration and replacement starts. */
export async function cardsSteps(page, { code, orgCard, managerCard, managerId }, prefix) {
  await page.getByText('網頁下載時間').waitFor();
  assert.match(await page.locator('#page-downloaded-at').innerText(), /\d+年\d\d月\d\d日\d\d點\d\d分\d\d秒/);
  await check(page, `${prefix}-terms`);
  await click(page, '同意條款內容');
  assert.match(page.url(), /\/org-certificate$/);
  await insertCard(orgCard);
  await page.fill('#f-agency_code', code);
  await check(page, `${prefix}-org-card`);
  await sign(page, '以機關憑證簽章');
  if (!page.url().endsWith('/manager-certificate')) return;
  await check(page, `${prefix}-manager-card`);
  await insertCard(managerCard);
  await page.fill('#f-national_id', managerId);
  await sign(page, '以自然人憑證簽章');
  assert.match(page.url(), /\/details$/);
}

export async function fillDetails(page, { name, email, password }) {
  await page.fill('#f-name', name);
  await page.fill('#f-email', email);
  await page.fill('#f-phone', '(02)2701-3411');
  await page.fill('#f-extension', '123');
  if (password) {
    await page.fill('#f-password', password);
    await page.fill('#f-password_confirm', password);
  }
}
export async function openAssignment(page, orgCard) {
  await page.goto(`${env.tessera.base}/orgs`);
  await click(page, '授權指派作業');
  await insertCard(orgCard);
  await page.fill('#f-agency_code', NDC);
  await sign(page, '以機關憑證簽章');
}

export async function addHandler(page, { serial, readCard, name, id, permissions }) {
  await click(page, '新增', 'link');
  if (readCard) {
    // 讀取憑證: the signer reads the card (no PIN), the server tells its serial and name.
    await insertCard(readCard);
    await page.getByRole('button', { name: '讀取憑證', exact: true }).click();
    await page.getByText('已讀取憑證序號。').waitFor();
    assert.equal((await page.inputValue('#f-cert_serial')).toLowerCase(), serial.toLowerCase().replace(/^0+/, ''));
    assert.equal(await page.inputValue('#f-name'), name);
  } else {
    await page.fill('#f-cert_serial', serial);
  }
  await page.fill('#f-name', name);
  await page.fill('#f-national_id', id);
  for (const p of permissions) await page.check(`input[value="${p}"]`);
  await click(page, '確定');
  await page.getByText('新增成功！').waitFor();
}

/** Starts everything (the test's `before`). */
export async function startEnv() {
  env.work = await workDir('tessera-orgs-e2e-');
  const { work } = env;
  env.pki = await testPki(join(work.dir, 'pki'));
  await renewNdc(work.dir);
  const map = ['[pki.ocsp_responders]'];
  for (const ca of ['moica-test', 'gca-test', 'xca-test']) {
    const r = await startOcsp(env.pki, ca);
    env.responders.push(r);
    const entry = env.pki.manifest.cas.find((c) => c.name === ca);
    map.push(`${JSON.stringify(basename(entry.cert))} = ${JSON.stringify(r.url)}`);
  }
  env.signerPort = await freePort();
  env.tessera = await startTessera({
    dir: work.dir, pki: env.pki, signerUrl: `http://127.0.0.1:${env.signerPort}`, toml: map.join('\n'),
  });
  env.config = join(work.dir, 'tessera.toml');
  const csv = join(work.dir, 'orgs.csv');
  await writeFile(csv, [
    'agency_code,name,organization_oid,kind',
    `${NDC},國家發展委員會,${env.pki.entity('agency-ndc').organization_oid},agency`,
    `${SCHOOL},臺北市立建國高級中學,2.16.886.101.99999.1,school`,
  ].join('\n'));
  assert.match(admin(['orgs', 'import', csv]), /2 created/);
  admin(['staff', 'add', 'rev01', '--role', 'reviewer', '--name', '林審核', '--email', 'rev@example.gov.tw',
    '--password-stdin'], `${STAFF_PASSWORD}\n`);
  env.browser = await launch();
}

/** Stops everything (the test's `after`). */
export async function stopEnv() {
  await env.browser?.close();
  await env.signer?.stop();
  await env.tessera?.stop();
  for (const r of env.responders) await r.stop();
  await env.work?.cleanup();
}
