// Browser end-to-end test of tessera-signer: a page served on another loopback origin uses
// Tessera's client module (crates/signer/client/tessera-signer.js) to drive the signer
// through /popupForm + postMessage, the user approves the site and types the PIN in the
// signer's own window, and the signature that comes back verifies with `openssl cms -verify`.
// A second page (site/hipki.js) is written like HiPKI's sample pages, without the client
// module, and signs random binary content through the popup many times in a row.
// Started by run.sh, which builds the signer, the test PKI and a SoftHSM2 token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { readFile, writeFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const need = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} must be set (run crates/signer/e2e/run.sh)`);
  return v;
};
const SIGNER_BIN = need('SIGNER_BIN');
const SOFTHSM2_CONF = need('SOFTHSM2_CONF');
const CA_BUNDLE = need('CA_BUNDLE');
const PIN = need('TOKEN_PIN');
const MODULE = process.env.PKCS11_MODULE || '/usr/lib/softhsm/libsofthsm2.so';
const HERE = new URL('.', import.meta.url).pathname;
const RESULTS = join(HERE, 'test-results');
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let signer;
let signerBase;
let site;
let otherSite;
let hipkiSite;
let browser;
let work;

function serveSite() {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = path === '/' || path === '/index.html' ? join(HERE, 'site/index.html')
      : path === '/app.js' ? join(HERE, 'site/app.js')
        : path === '/client/tessera-signer.js' ? join(HERE, '../client/tessera-signer.js')
          : path === '/hipki.html' || path === '/hipki.js' ? join(HERE, 'site', path)
            : null;
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': types[extname(file)] });
    res.end(await readFile(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, origin: `http://127.0.0.1:${server.address().port}` });
  }));
}

function startSigner(approvals) {
  const child = spawn(SIGNER_BIN, [
    '--listen', '127.0.0.1:0', '--pkcs11-module', MODULE, '--approvals-file', approvals,
  ], { env: { ...process.env, SOFTHSM2_CONF, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, base: m[1] }); else reject(new Error(`unexpected: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`tessera-signer exited with ${code}`)));
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-signer-e2e-'));
  await mkdir(RESULTS, { recursive: true });
  ({ child: signer, base: signerBase } = await startSigner(join(work, 'approved-origins.json')));
  site = await serveSite();
  otherSite = await serveSite();
  hipkiSite = await serveSite();
  browser = await chromium.launch({
    executablePath: process.env.TESSERA_E2E_CHROMIUM || '/usr/bin/chromium',
    args: ARGS,
  });
});

after(async () => {
  await browser?.close();
  site?.server.close();
  otherSite?.server.close();
  hipkiSite?.server.close();
  signer?.kill();
});

async function openSite(origin, tbs, pin, enc) {
  const context = await browser.newContext({ locale: 'zh-TW' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const q = new URLSearchParams({ signer: signerBase, tbs, pin: pin || '', enc: enc || 'NONE' });
  await page.goto(`${origin}/index.html?${q}`);
  return page;
}

async function result(page) {
  await page.waitForFunction(() => window.__result !== undefined);
  return page.evaluate(() => window.__result);
}

async function opensslVerify(signatureB64) {
  const sig = join(work, `sig-${Date.now()}.der`);
  const out = `${sig}.out`;
  await writeFile(sig, Buffer.from(signatureB64, 'base64'));
  execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig,
    '-CAfile', CA_BUNDLE, '-purpose', 'any', '-out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFile(out);
}

test('first use: the user approves the site and types the PIN in the signer window', async () => {
  const tbs = `login-challenge-${Date.now()}`;
  const page = await openSite(site.origin, tbs);
  const popupOpened = page.waitForEvent('popup');
  await page.click('#sign');
  const popup = await popupOpened;
  await popup.waitForSelector('#approve:not([hidden])');
  assert.match(await popup.textContent('#approve'), new RegExp(site.origin.replace(/\./g, '\\.')));
  await popup.screenshot({ path: join(RESULTS, 'popup-approve.png') });
  await popup.click('#approve-yes');
  await popup.waitForSelector('#pin:not([hidden])');
  assert.match(await popup.textContent('#pin'), /要求以您的憑證卡簽章/);
  await popup.screenshot({ path: join(RESULTS, 'popup-pin.png') });
  await popup.fill('#pin-input', PIN);
  await popup.click('#pin-ok');
  const r = await result(page);
  assert.equal(r.ret_code, 0, JSON.stringify(r));
  assert.equal(r.func, 'sign');
  assert.ok(r.certb64 && r.cardSN, JSON.stringify(r));
  assert.equal((await opensslVerify(r.signature)).toString(), tbs);
  if (!popup.isClosed()) await popup.waitForEvent('close');
  await page.context().close();
});

test('an approved site that sends the PIN (HiPKI style) gets a signature without prompts', async () => {
  // Binary challenge whose base64 holds '+' and '/', which HiPKI's form transport must keep.
  const bytes = Buffer.concat([Buffer.from([0xfb, 0xff, 0xbf, 0xfb, 0xef]), Buffer.from(`c-${Date.now()}`)]);
  const tbs = bytes.toString('base64');
  assert.match(tbs, /\+/);
  const page = await openSite(site.origin, tbs, PIN, 'base64');
  const popupOpened = page.waitForEvent('popup');
  await page.click('#sign-with-pin');
  const popup = await popupOpened;
  const r = await result(page);
  assert.equal(r.ret_code, 0, JSON.stringify(r));
  assert.deepEqual(await opensslVerify(r.signature), bytes);
  if (!popup.isClosed()) await popup.waitForEvent('close');
  await page.context().close();
});

test('cancel in the signer window answers 0x76000999 with a zh-TW message', async () => {
  const page = await openSite(site.origin, 'will-be-cancelled');
  const popupOpened = page.waitForEvent('popup');
  await page.click('#sign');
  const popup = await popupOpened;
  await popup.waitForSelector('#pin:not([hidden])');
  await popup.click('#pin-cancel');
  const r = await result(page);
  assert.equal(r.error, true);
  assert.equal(r.code, 0x76000999);
  assert.equal(await page.textContent('#message'), '您已取消動作');
  await page.context().close();
});

test('a wrong PIN is reported as a wrong PIN, not as success', async () => {
  const page = await openSite(site.origin, 'wrong-pin', '000000');
  const popupOpened = page.waitForEvent('popup');
  await page.click('#sign-with-pin');
  await popupOpened;
  const r = await result(page);
  assert.equal(r.code, 0x76100006, JSON.stringify(r));
  assert.equal(r.response.last_error, 0xa0);
  assert.match(await page.textContent('#message'), /PIN碼錯誤/);
  await page.context().close();
});

test('a site the user refuses gets 0x76000031 and nothing else', async () => {
  const page = await openSite(otherSite.origin, 'refused');
  const popupOpened = page.waitForEvent('popup');
  await page.click('#sign');
  const popup = await popupOpened;
  await popup.waitForSelector('#approve:not([hidden])');
  await popup.click('#approve-no');
  const r = await result(page);
  assert.equal(r.code, 0x76000031, JSON.stringify(r));
  assert.equal(r.response.signature, undefined);
  await page.context().close();
});

test('the approved site lists the card certificates through the popup', async () => {
  const page = await openSite(site.origin, 'x');
  const popupOpened = page.waitForEvent('popup');
  await page.click('#certs');
  await popupOpened;
  const r = await result(page);
  assert.equal(r.ret_code, 0, JSON.stringify(r));
  assert.equal(r.certs.length, 1, JSON.stringify(r));
  assert.match(r.certs[0].usage, /digitalSignature/);
  assert.match(r.certs[0].subjectDN, /王小明/);
  await page.context().close();
});

test('the approved site finds the signer and may call it directly', async () => {
  const page = await openSite(site.origin, 'x');
  await page.click('#find');
  const found = await result(page);
  assert.equal(found.running, true);
  assert.equal(found.direct, true, JSON.stringify(found));
  assert.ok(found.version);

  const other = await openSite(otherSite.origin, 'x');
  await other.click('#find');
  const refused = await result(other);
  assert.equal(refused.running, true);
  assert.equal(refused.direct, false, 'an unapproved site must not read the signer directly');
  await page.context().close();
  await other.context().close();
});

// Random bytes whose base64 holds both '+' and '/', the characters form decoding would change.
function plusAndSlashContent() {
  for (;;) {
    const bytes = randomBytes(randomInt(1, 1500));
    const b64 = bytes.toString('base64');
    if (b64.includes('+') && b64.includes('/')) return { bytes, b64 };
  }
}

test('a HiPKI-style page signs 200 random binary contents through the popup, each byte exact', async () => {
  const ROUNDS = 200;
  const hashes = ['SHA256', 'SHA384', 'SHA512'];
  const started = Date.now();
  const context = await browser.newContext({ locale: 'zh-TW' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await page.goto(`${hipkiSite.origin}/hipki.html?${new URLSearchParams({ signer: signerBase })}`);
  const dir = await mkdtemp(join(work, 'rounds-'));
  const run = promisify(execFile);
  // openssl checks each signature while the browser goes on with the next round.
  const verify = async (i, signature, bytes) => {
    const sig = join(dir, `${i}.der`);
    const out = join(dir, `${i}.out`);
    await writeFile(sig, Buffer.from(signature, 'base64'));
    await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig,
      '-CAfile', CA_BUNDLE, '-purpose', 'any', '-out', out]);
    assert.deepEqual(await readFile(out), bytes, `round ${i}: the signed content differs from the page's bytes`);
  };
  const checks = [];
  const failures = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const { bytes, b64 } = plusAndSlashContent();
    const hashAlgorithm = hashes[i % hashes.length];
    await page.evaluate((next) => { window.__next = next; },
      { tbs: b64, hashAlgorithm, pin: PIN, nonce: `n-${i}` });
    const popupOpened = page.waitForEvent('popup');
    await page.click('#sign');
    const popup = await popupOpened;
    if (i === 0) {
      // The site's first use: the user approves it once in the signer's window.
      await popup.waitForSelector('#approve:not([hidden])');
      await popup.click('#approve-yes');
    }
    await page.waitForFunction((n) => window.__answers.length === n, i + 1);
    const r = await page.evaluate((n) => window.__answers[n], i);
    assert.equal(r.ret_code, 0, `round ${i} (${hashAlgorithm}, tbs ${b64}): ${JSON.stringify(r)}`);
    checks.push(verify(i, r.signature, bytes).catch((e) => failures.push(e)));
    // The page reuses one window name, like HiPKI's samples: the next round opens a new window
    // only once this one has closed itself.
    if (!popup.isClosed()) await popup.waitForEvent('close');
  }
  await Promise.all(checks);
  assert.equal(failures.length, 0, `${failures.length} of ${ROUNDS} signatures failed openssl: ${failures[0]}`);
  await context.close();
  console.log(`${ROUNDS} popup signings verified by openssl in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
