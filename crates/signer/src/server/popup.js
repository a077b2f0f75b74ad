// The popupForm page of tessera-signer (HiPKI LocalSignServer protocol). It tells its opener
// it is ready ({"func":"getTbs"}), takes the request by postMessage, asks the user to approve
// a site on first use and for the PIN when the page did not send one, calls /sign as the
// opener's origin, answers by postMessage to that origin only, and closes.
(() => {
  'use strict';
  const token = document.body.dataset.token;
  const opener = window.opener;
  const $ = (id) => document.getElementById(id);
  let site = null;
  let done = false;

  function show(id) {
    for (const s of document.querySelectorAll('section')) s.hidden = s.id !== id;
  }

  function answer(text) {
    if (done) return;
    done = true;
    try {
      opener.postMessage(text, site);
    } finally {
      setTimeout(() => window.close(), 100);
    }
  }

  async function call(path, body, extra) {
    const headers = { 'Content-Type': 'application/json', 'X-Tessera-Popup': token };
    if (extra) Object.assign(headers, extra);
    const r = await fetch(path, { method: 'POST', headers, body });
    return r.text();
  }

  async function giveUp(func, reason) {
    answer(await call('/popup/cancel', JSON.stringify({ site, func, reason })));
  }

  function choice(yesId, noId) {
    // The approve button only works after a moment, so a click meant for the page under a
    // suddenly opened window cannot approve a site (popup click-jacking).
    $(yesId).disabled = true;
    setTimeout(() => { $(yesId).disabled = false; }, 1000);
    return new Promise((resolve) => {
      $(yesId).onclick = () => resolve(true);
      $(noId).onclick = () => resolve(false);
    });
  }

  function askPin() {
    show('pin');
    $('pin-input').focus();
    return new Promise((resolve) => {
      $('pin-form').onsubmit = (ev) => {
        ev.preventDefault();
        const v = $('pin-input').value;
        $('pin-input').value = '';
        if (v) resolve(v);
      };
      $('pin-cancel').onclick = () => resolve(null);
    });
  }

  async function handle(data) {
    let req = null;
    try {
      req = JSON.parse(data);
    } catch (e) {
      req = null;
    }
    const func = req && typeof req.func === 'string' ? req.func : '';
    const status = JSON.parse(await call('/popup/status', JSON.stringify({ site })));
    if (!status.approved) {
      show('approve');
      if (!(await choice('approve-yes', 'approve-no'))) return giveUp(func, 'deny');
      await call('/popup/approve', JSON.stringify({ site }));
    }
    if (req && func === 'MakeSignature' && !req.pin) {
      const pin = await askPin();
      if (pin === null) return giveUp(func, 'cancel');
      // encodeURIComponent like HiPKI pages, then '%' escaped for the decoding of the
      // package's values (the PIN is decoded once more on its own, as pages expect).
      req.pin = encodeURIComponent(pin).replace(/%/g, '%25');
      data = JSON.stringify(req);
      req.pin = '';
    }
    show('working');
    $('work-cancel').onclick = () => giveUp(func, 'cancel');
    // The page's text goes on as the form field tbsPackage, properly form-encoded, so the
    // signer reads exactly the characters the page sent: a bare '+' of a base64 tbs stays a
    // '+' (form decoding of an unencoded field would make it a space) and an '&' cannot end
    // the field. The signer then reads the text the way HiPKI does (%XX decoded once).
    const body = new URLSearchParams({ tbsPackage: data }).toString();
    const text = await call('/sign', body, {
      'X-Tessera-Site': site,
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    answer(text);
  }

  window.addEventListener('message', (ev) => {
    if (!opener || ev.source !== opener || site !== null) return;
    site = ev.origin;
    for (const el of document.querySelectorAll('.site')) el.textContent = site;
    const data = typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data);
    handle(data).catch(() => giveUp('', 'cancel'));
  });

  if (!opener) {
    show('no-opener');
  } else {
    opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*');
    setTimeout(() => { if (site === null) window.close(); }, 120000);
  }
})();
