// cert-sign.js — the one page-side module for "have the card sign a challenge for purpose P and
// submit the form": every certificate page (registration, sign-in, binding, renewal, reset; and
// the organization registration) uses it through data- attributes, no page script.
//
//   <form method="post" action="…" data-cert-sign="login"            purpose of the challenge
//         data-signer-url="http://127.0.0.1:61161"                   the signer's origin
//         [data-challenge-url="/api/v1/cert/challenges"]>            where challenges come from
//     <input type="hidden" name="_csrf" value="…">                   sent as X-CSRF-Token
//     <input type="hidden" name="challenge_id"> <input type="hidden" name="signature">
//     <input type="hidden" name="cert">                              filled here, then submitted
//     <div data-cert-status role="status" aria-live="polite"></div>  what is happening / failed
//     <button type="submit" data-cert-button>…</button>
//   </form>
//   <div id="cert-sign-texts" hidden data-not-running="…" …>        texts in the page's language
//
// On load it looks for the signer and says so when none answers (with a link to /signer). On
// submit it opens the signer's window at once (inside the click, so no popup blocker stops
// it), asks the server for a challenge meanwhile (POST {purpose}), has the signer sign it
// (MakeSignature, PKCS7, SHA256; the PIN is typed in the signer's own window and never passes
// through the page), puts challenge_id, signature and cert into the form and submits it as a
// normal form post: the server verifies and answers with a page. A page may hold several
// signing forms. Component messages (cancelled, wrong PIN, no card …) come from the signer
// client's zh-TW code table; on English pages they are marked as Chinese.
import { SignerError, findSigner, popupRequest } from './tessera-signer.js';

const texts = document.getElementById('cert-sign-texts')?.dataset || {};
const pageLang = document.documentElement.lang || 'zh-Hant-TW';

/** A refusal the server explained (in the page's language). */
class ServerError extends Error {}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** Shows `parts` in the form's live status region, styled by `kind` ('' | warning | danger). */
function say(box, kind, ...parts) {
  if (!box) return;
  box.className = `cert-status${kind ? ` panel panel-${kind}` : ''}`;
  const p = el('p');
  for (const part of parts) p.append(part);
  box.replaceChildren(p);
}

/** A component message: always zh-TW, so marked as such on pages in another language. */
function componentSays(text) {
  if (pageLang.startsWith('zh')) return text;
  const span = el('span', texts.componentSaid || '');
  span.append(el('span', text, { lang: 'zh-Hant-TW' }));
  return span;
}

function notRunning() {
  const span = el('span', `${texts.notRunning || ''} `);
  span.append(el('a', texts.checkLink || '/signer', { href: '/signer' }));
  return span;
}

async function askChallenge(url, purpose, csrf) {
  const r = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ purpose }),
  });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok || !body || typeof body.tbs !== 'string') {
    throw new ServerError((body && body.error && body.error.message) || texts.challengeFailed || '');
  }
  return body;
}

function setField(form, name, value) {
  let input = form.querySelector(`input[name="${name}"]`);
  if (!input) {
    input = el('input', undefined, { type: 'hidden', name });
    form.append(input);
  }
  input.value = value;
}

function setup(form) {
  const purpose = form.dataset.certSign;
  const base = form.dataset.signerUrl;
  const url = form.dataset.challengeUrl || '/api/v1/cert/challenges';
  const box = form.querySelector('[data-cert-status]');
  const button = form.querySelector('[data-cert-button]');
  let found = null;
  let busy = false;

  const look = async () => {
    found = await findSigner({ bases: [base] });
    if (!found.running) say(box, 'warning', notRunning());
    return found;
  };
  look();

  const failed = (e) => {
    if (e instanceof ServerError) say(box, 'danger', e.message);
    else if (e instanceof SignerError) say(box, 'danger', componentSays(e.message));
    else say(box, 'danger', texts.failed || String(e));
    box?.focus();
  };

  form.addEventListener('submit', async (ev) => {
    if (form.dataset.certSigned === '1') return; // the signed form goes to the server
    ev.preventDefault();
    if (busy) return;
    busy = true;
    if (button) button.disabled = true;
    try {
      if (!found || !found.running) {
        // Started since the page loaded? Look again before opening its window.
        if (!(await look()).running) return;
      }
      say(box, '', texts.signing || '');
      const challenge = askChallenge(url, purpose, form.querySelector('input[name=_csrf]')?.value || '');
      const payload = challenge.then((c) => ({
        func: 'MakeSignature', tbs: c.tbs, tbsEncoding: 'base64', hashAlgorithm: 'SHA256',
        signatureType: 'PKCS7', withCardSN: 'true',
      }));
      const answer = await popupRequest(payload, { base });
      if (!answer || typeof answer !== 'object' || !('ret_code' in answer)) throw new SignerError('bad_answer');
      if (Number(answer.ret_code) !== 0) throw new SignerError(Number(answer.ret_code) >>> 0, answer);
      const c = await challenge;
      setField(form, 'challenge_id', c.challenge_id);
      setField(form, 'signature', answer.signature || '');
      setField(form, 'cert', answer.certb64 || '');
      form.dataset.certSigned = '1';
      say(box, '', texts.sending || '');
      form.submit();
    } catch (e) {
      failed(e);
    } finally {
      busy = false;
      if (button && form.dataset.certSigned !== '1') button.disabled = false;
    }
  });
}

for (const form of document.querySelectorAll('form[data-cert-sign]')) setup(form);
