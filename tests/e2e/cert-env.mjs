// The real parts a certificate end-to-end test needs, each on a free loopback port and in a
// throw-away directory, for the citizen-certificate test (cert.test.mjs) and the
// organization test: the test PKI (`tessera pki init-test`), a card on a SoftHSM2 token made
// from a certificate + key or a PKCS#12 file (softhsm2-util + pkcs11-tool, like a HiCOS card
// with PIN 123456), the real `tessera-signer` on that token with an approved origin, an
// `openssl ocsp` responder for one CA of the test PKI, and `tessera serve` trusting the PKI
// with OCSP pointed at that responder. A missing tool fails loudly; nothing is skipped.
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, healthy } from './net.mjs';

// Re-exported for the tests that take their environment from here.
export { freePort };

const ROOT = new URL('../../', import.meta.url).pathname;
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
export const BIN = process.env.TESSERA_E2E_BIN || join(TARGET, 'debug/tessera');
export const SIGNER_BIN = process.env.TESSERA_E2E_SIGNER_BIN || join(TARGET, 'debug/tessera-signer');
export const SOFTHSM_MODULE = process.env.PKCS11_MODULE || '/usr/lib/softhsm/libsofthsm2.so';
export const CARD_PIN = '123456';
const SO_PIN = '87654321';

function tool(program, args, env = {}) {
  try {
    return execFileSync(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') {
      throw new Error(`${program} not found: run scripts/install-test-deps.sh (softhsm2, opensc, openssl)`);
    }
    throw new Error(`${program} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/** A scratch directory, removed by `cleanup()`. */
export async function workDir(prefix = 'tessera-cert-e2e-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds the test PKI in `dir` with the tessera binary; resolves its manifest. */
export async function testPki(dir) {
  tool(BIN, ['pki', 'init-test', '--out', dir]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const entity = (id) => {
    const e = manifest.entities.find((x) => x.id === id);
    if (!e) throw new Error(`no test entity ${id}`);
    return e;
  };
  return { dir, manifest, entity, path: (rel) => join(dir, rel) };
}

/**
 * A card: a SoftHSM2 token (own SOFTHSM2_CONF) holding `key` and `cert` (PEM files) under
 * id 01, PIN 123456. Resolves { conf, label, pin, module }.
 */
export async function makeCard(dir, { cert, key, label = 'card' }) {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`${SOFTHSM_MODULE} not found (apt-get install softhsm2)`);
  await mkdir(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { SOFTHSM2_CONF: conf };
  tool('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', CARD_PIN], env);
  tool('openssl', ['pkey', '-in', key, '-outform', 'DER', '-out', join(dir, 'key.der')]);
  tool('openssl', ['x509', '-in', cert, '-outform', 'DER', '-out', join(dir, 'cert.der')]);
  const p11 = ['--module', SOFTHSM_MODULE, '--token-label', label, '--login', '--pin', CARD_PIN];
  tool('pkcs11-tool', [...p11, '--write-object', join(dir, 'key.der'), '--type', 'privkey', '--id', '01', '--label', label, '--usage-sign'], env);
  tool('pkcs11-tool', [...p11, '--write-object', join(dir, 'cert.der'), '--type', 'cert', '--id', '01', '--label', label], env);
  return { conf, label, pin: CARD_PIN, module: SOFTHSM_MODULE };
}

/** A card from a PKCS#12 file (its key and end-entity certificate). */
export async function makeCardFromP12(dir, { p12, password, label = 'card' }) {
  await mkdir(dir, { recursive: true });
  const key = join(dir, 'p12-key.pem');
  const cert = join(dir, 'p12-cert.pem');
  tool('openssl', ['pkcs12', '-in', p12, '-nocerts', '-nodes', '-passin', `pass:${password}`, '-out', key]);
  tool('openssl', ['pkcs12', '-in', p12, '-clcerts', '-nokeys', '-passin', `pass:${password}`, '-out', cert]);
  return makeCard(dir, { cert, key, label });
}

function waitForLine(stream, test, what, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream });
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${ms} ms`)), ms);
    lines.on('line', (line) => {
      if (test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill();
  await exited;
}

/**
 * The real tessera-signer on `card` (from makeCard) at 127.0.0.1:`port` (0 = any), with
 * `allowOrigin` approved. Resolves { base, child, stop() }.
 */
export async function startSigner({ card, port = 0, allowOrigin, approvals }) {
  const args = ['--listen', `127.0.0.1:${port}`, '--pkcs11-module', card.module];
  if (allowOrigin) args.push('--allow-origin', allowOrigin);
  args.push('--approvals-file', approvals || join(tmpdir(), `tessera-e2e-approvals-${process.pid}-${Date.now()}.json`));
  const child = spawn(SIGNER_BIN, args, {
    env: { ...process.env, SOFTHSM2_CONF: card.conf, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const failed = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`tessera-signer exited with ${code}`))));
  const line = await Promise.race([waitForLine(child.stdout, (l) => l.includes('listening on'), 'tessera-signer'), failed]);
  failed.catch(() => {});
  const base = /listening on (http:\/\/\S+)/.exec(line)[1];
  return { base, child, stop: () => stopChild(child) };
}

/**
 * An `openssl ocsp` responder for CA `ca` of the test PKI (e.g. "moica-test") on a free port,
 * answers valid for 5 minutes. Resolves { url, child, stop() }. (Never probe it with an empty
 * connection: the single-threaded responder would hang on it.)
 */
export async function startOcsp(pki, ca = 'moica-test') {
  const entry = pki.manifest.cas.find((c) => c.name === ca);
  if (!entry) throw new Error(`no CA ${ca}`);
  const port = await freePort();
  const child = spawn('openssl', [
    'ocsp', '-index', pki.path(pki.manifest.ocsp_index), '-port', String(port),
    '-CA', pki.path(entry.cert), '-rsigner', pki.path(entry.ocsp_cert), '-rkey', pki.path(entry.ocsp_key),
    '-nmin', '5', '-ignore_err',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.once('error', (e) => { throw new Error(`openssl ocsp: ${e.message}`); });
  await waitForLine(child.stderr, (l) => l.includes('waiting for OCSP client connections'), 'openssl ocsp');
  child.stderr.resume();
  return { url: `http://127.0.0.1:${port}/`, child, stop: () => stopChild(child) };
}

/**
 * `tessera serve` on a free port with its own data directory (SQLite, Maildir), trusting
 * `pki` with OCSP revocation answered by `ocspUrl` only (no CRL fallback, so a refusal proves
 * the responder said so), the pages pointed at `signerUrl`, and a cheap CAPTCHA. `toml` is
 * appended to the configuration file (without `ocspUrl` it must map responders per CA). Resolves { base, data, child, stop() }.
 */
export async function startTessera({ dir, pki, ocspUrl, signerUrl, toml = '' }) {
  const port = await freePort();
  const data = join(dir, 'data');
  const config = join(dir, 'tessera.toml');
  await writeFile(config, [
    '[pki]',
    `trust_dir = ${JSON.stringify(pki.path(pki.manifest.trust_dir))}`,
    'revocation = "ocsp"',
    'crl_fallback = false',
    // No single responder when the test maps one per CA ([pki.ocsp_responders] in `toml`).
    ocspUrl ? `ocsp_responder = ${JSON.stringify(ocspUrl)}` : '',
    '[captcha]',
    'cost = 1',
    'max_counter = 50',
    toml,
  ].join('\n'));
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, TESSERA_LOG: 'warn' };
  delete env.TESSERA_PKI_TRUST_DIR; // the file says where the trust is
  delete env.TESSERA_PKI_REVOCATION;
  const child = spawn(BIN, [
    '--config', config, '--data-dir', data, '--signer-url', signerUrl,
    'serve', '--listen', `127.0.0.1:${port}`,
  ], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  await healthy(base);
  return { base, data, child, stop: () => stopChild(child) };
}
