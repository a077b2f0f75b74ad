// A third-party page written the way HiPKI LocalSignServer's sample pages are, without
// Tessera's client module: a click opens the signer's /popupForm under a fixed window name,
// the {"func":"getTbs"} message is answered with the request as plain JSON.stringify text —
// a base64 tbs with its '+' and '/' as they are, nothing escaped, the PIN
// encodeURIComponent-encoded — and the {"func":"sign"} answer is kept. The test puts the next
// request in window.__next before each click and reads the answers from window.__answers.
(() => {
  'use strict';
  const signer = new URLSearchParams(location.search).get('signer');
  const signerOrigin = new URL(signer).origin;
  let postTarget = null;
  window.__next = null;
  window.__answers = [];

  function tbsPackage() {
    const next = window.__next;
    const tbsData = {};
    tbsData.tbs = next.tbs;
    tbsData.tbsEncoding = 'base64';
    tbsData.hashAlgorithm = next.hashAlgorithm;
    tbsData.withCardSN = 'true';
    tbsData.pin = encodeURIComponent(next.pin);
    tbsData.nonce = next.nonce;
    tbsData.func = 'MakeSignature';
    tbsData.signatureType = 'PKCS7';
    return JSON.stringify(tbsData);
  }

  window.addEventListener('message', (event) => {
    if (event.origin !== signerOrigin || typeof event.data !== 'string') return;
    let ret;
    try {
      ret = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (ret.func === 'getTbs') postTarget.postMessage(tbsPackage(), '*');
    else if (ret.func === 'sign') window.__answers.push(ret);
  });

  document.getElementById('sign').onclick = () => {
    postTarget = window.open(`${signer}/popupForm`, '簽章中', 'height=200, width=200, left=100, top=20');
  };
})();
