// The test site's page: uses Tessera's client module exactly as a relying page would.
import { findSigner, listCertificates, signChallenge, describe } from '/client/tessera-signer.js';

const params = new URLSearchParams(location.search);
const base = params.get('signer');
const tbs = params.get('tbs') || 'challenge';
const tbsEncoding = params.get('enc') || 'NONE';

function show(obj, text) {
  window.__result = obj;
  document.getElementById('message').textContent = text || '';
  document.getElementById('result').textContent = JSON.stringify(obj);
}

async function guarded(fn) {
  try {
    const r = await fn();
    show(r, describe(r));
  } catch (e) {
    show({ error: true, code: e.code, response: e.response }, e.message);
  }
}

document.getElementById('find').onclick = () => guarded(async () => {
  const found = await findSigner({ bases: [base] });
  return { ret_code: 0, ...found };
});
document.getElementById('sign').onclick = () => guarded(() => signChallenge({ tbs, tbsEncoding, base }));
document.getElementById('sign-with-pin').onclick = () =>
  guarded(() => signChallenge({ tbs, tbsEncoding, base, pin: params.get('pin') }));
document.getElementById('certs').onclick = () => guarded(async () => {
  const certs = await listCertificates({ base });
  return { ret_code: 0, certs };
});
