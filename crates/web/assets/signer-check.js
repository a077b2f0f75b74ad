// signer-check.js — the self-check page (/signer): is a signing component running at the
// configured address (data-signer-url), which version, which readers and cards, and the
// certificates with their validity (expired / expiring within 30 days flagged). When the site
// is not approved yet it offers the component's first-use window; when nothing answers it
// shows the install guide. Texts come from the page (#signer-texts, in the page's language);
// component codes are described by the signer's client module (zh-TW).
import {
  SignerError, certificateValidity, describe, findSigner, popupRequest,
} from './tessera-signer.js';

const DAY = 86_400_000;
const EXPIRING_DAYS = 30;
const root = document.getElementById('signer-check');
const texts = document.getElementById('signer-texts').dataset;
const base = root.dataset.signerUrl;
const $ = (id) => document.getElementById(id);

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** Shows `parts` (strings or elements) in the live status region, styled by `kind`. */
function status(kind, ...parts) {
  const box = $('signer-status');
  box.className = `panel${kind ? ` panel-${kind}` : ''}`;
  const p = el('p');
  for (const part of parts) p.append(part);
  box.replaceChildren(p);
}

/** A component message (always zh-TW, from the client's code table), marked as such. */
function componentSays(answer) {
  const span = el('span', `${texts.componentSaid}`);
  span.append(el('span', describe(answer), { lang: 'zh-Hant-TW' }));
  return span;
}

/** The date (YYYY-MM-DD) of an ISO time in the user's own time zone. */
function day(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

function validityBadge(notBefore, notAfter, now) {
  const from = Date.parse(notBefore);
  const to = Date.parse(notAfter);
  if (Number.isNaN(from) || Number.isNaN(to)) return el('span', texts.validityUnknown, { class: 'badge badge-warn' });
  if (now < from) return el('span', texts.notYet, { class: 'badge badge-warn' });
  if (now > to) return el('span', texts.expired, { class: 'badge badge-error' });
  const days = Math.floor((to - now) / DAY);
  if (days <= EXPIRING_DAYS) return el('span', fill(texts.expiring, { days }), { class: 'badge badge-warn' });
  return el('span', fill(texts.valid, { days }), { class: 'badge badge-ok' });
}

function fact(dl, term, value) {
  dl.append(el('dt', term));
  const dd = el('dd');
  dd.append(value);
  dl.append(dd);
}

function certItem(cert, now) {
  const dates = cert.notBefore && cert.notAfter ? cert : certificateValidity(cert.certb64) || {};
  const li = el('li', undefined, { class: 'card' });
  li.append(el('h4', cert.label || cert.subjectDN || '—'));
  const dl = el('dl', undefined, { class: 'facts' });
  fact(dl, texts.subject, cert.subjectDN || '');
  fact(dl, texts.serial, cert.sn || '');
  fact(dl, texts.issuer, cert.issuerDN || '');
  fact(dl, texts.notBefore, el('time', day(dates.notBefore), { datetime: dates.notBefore || '' }));
  fact(dl, texts.notAfter, el('time', day(dates.notAfter), { datetime: dates.notAfter || '' }));
  fact(dl, texts.validity, validityBadge(dates.notBefore, dates.notAfter, now));
  li.append(dl);
  return li;
}

function showDetails(found) {
  const answer = found.response || {};
  $('signer-product').textContent = answer.product || (found.version ? 'HiPKI LocalSignServer' : '');
  $('signer-version').textContent = found.version || texts.unknownVersion;
  const readers = $('signer-readers');
  const certs = $('signer-certs');
  readers.replaceChildren();
  certs.replaceChildren();
  const slots = Array.isArray(answer.slots) ? answer.slots : [];
  const now = Date.now();
  for (const slot of slots) {
    const token = slot && typeof slot.token === 'object' ? slot.token : null;
    const name = token && (token.label || token.serialNumber);
    const state = token ? fill(name ? texts.readerCardNamed : texts.readerCard, { name }) : texts.readerEmpty;
    readers.append(el('li', fill(texts.readerLine, { reader: slot.slotDescription || '—', state })));
    for (const c of (token && token.certs) || []) certs.append(certItem(c, now));
  }
  if (!slots.length) readers.append(el('li', texts.noReaders));
  if (!certs.children.length) certs.append(el('li', texts.noCerts));
  $('signer-details').hidden = false;
}

async function check() {
  $('signer-approve').hidden = true;
  $('signer-install').hidden = true;
  $('signer-details').hidden = true;
  status('', texts.checking);
  const found = await findSigner({ bases: [base], withCerts: true });
  const version = found.version || texts.unknownVersion;
  if (!found.running) {
    status('danger', texts.notRunning);
    $('signer-install').hidden = false;
  } else if (!found.direct) {
    const answer = found.response || { ret_code: 0x76000031 };
    status('warning', texts.notApproved, ' ', componentSays(answer));
    $('signer-approve').hidden = false;
  } else if (Number(found.response.ret_code) !== 0) {
    status('warning', fill(texts.failed, { version }), ' ', componentSays(found.response));
    showDetails(found);
  } else {
    status('success', fill(texts.ok, { version }));
    showDetails(found);
  }
}

/** First use: the component's own window asks the user to approve this site. */
async function approve() {
  status('warning', texts.approving);
  try {
    const answer = await popupRequest({ func: 'CheckEnvir' }, { base });
    if (Number(answer.ret_code) !== 0) {
      status('warning', componentSays(answer));
      return;
    }
  } catch (e) {
    status('danger', e instanceof SignerError ? e.message : String(e));
    return;
  } finally {
    // The button is about to be hidden: keep keyboard users at the result.
    $('check-title').focus();
  }
  await check();
}

$('signer-recheck').addEventListener('click', () => { check(); });
$('signer-approve-button').addEventListener('click', () => { approve(); });
check();
