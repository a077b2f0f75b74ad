// org-handler.js — the handler form of 授權指派作業 (圖3-15 … 3-19):
//
// - 讀取憑證: reads the certificate on the handler's card through the local signer (GetUserCert,
//   no PIN), asks the server for its serial and name (POST /api/v1/orgs/{code}/card-info, the
//   certificate only read, never trusted) and fills the form. Typing the serial works without it.
// - The permission checkbox tree: ticking a group ticks every function in it, and a group is
//   ticked exactly when all its functions are. Without JavaScript a ticked group still grants
//   its whole group on the server.
import { SignerError, listCertificates, signingCertificates } from './tessera-signer.js';

const texts = document.getElementById('org-handler-texts')?.dataset || {};

for (const group of document.querySelectorAll('[data-tree-group]')) {
  const toggle = group.querySelector('[data-group-toggle]');
  const functions = [...group.querySelectorAll('[data-function]')];
  if (!toggle) continue;
  toggle.addEventListener('change', () => {
    for (const f of functions) f.checked = toggle.checked;
  });
  for (const f of functions) {
    f.addEventListener('change', () => {
      toggle.checked = functions.every((x) => x.checked);
    });
  }
}

async function cardInfo(form, certb64) {
  const r = await fetch(form.dataset.cardInfoUrl, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      'X-CSRF-Token': form.querySelector('input[name=_csrf]')?.value || '',
    },
    body: JSON.stringify({ cert: certb64 }),
  });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok || !body || typeof body.serial !== 'string') {
    throw new Error((body && body.error && body.error.message) || texts.failed || '');
  }
  return body;
}

for (const form of document.querySelectorAll('form[data-card-info-url]')) {
  const box = form.querySelector('[data-read-box]');
  const button = form.querySelector('[data-read-card]');
  const status = form.querySelector('[data-read-status]');
  if (!box || !button) continue;
  box.hidden = false;
  const say = (text, kind = '') => {
    status.className = `cert-status${kind ? ` panel panel-${kind}` : ''}`;
    status.textContent = text;
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    say(texts.reading || '');
    try {
      const certs = signingCertificates(await listCertificates({ base: form.dataset.signerUrl }));
      if (!certs.length) throw new Error(texts.none || '');
      const info = await cardInfo(form, certs[0].certb64);
      form.querySelector('input[name=cert_serial]').value = info.serial;
      const name = form.querySelector('input[name=name]');
      if (name && !name.value) name.value = info.name;
      say(texts.read || '');
    } catch (e) {
      say(e instanceof SignerError ? e.message : (e.message || texts.failed || ''), 'danger');
    } finally {
      button.disabled = false;
    }
  });
}
