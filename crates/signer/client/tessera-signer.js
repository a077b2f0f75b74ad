// tessera-signer.js — the browser side of certificate login, for Tessera's pages.
//
// Finds a local signing component (Tessera's `tessera-signer` or HiPKI LocalSignServer, both on
// http://127.0.0.1:61161 / http://localhost:61161), lists the certificates on the card, signs
// a challenge, and maps every return code to a zh-TW message. It speaks HiPKI's protocol:
// the popup (`/popupForm` + postMessage) works for any site and must be started from a user
// gesture (a click); the direct calls (`/pkcs11info`, `/sign`) need the site to be approved in
// tessera-signer (CORS). With tessera-signer, leave `pin` out and the signer's own window asks
// for it, so the PIN never passes through the page.
//
// Usage:
//   // Tessera serves this file as /assets/<version>/tessera-signer.js (same-version imports: './tessera-signer.js').
//   import { findSigner, listCertificates, signChallenge, describe } from './tessera-signer.js';
//   const found = await findSigner();            // { running, base, version, direct }
//   button.onclick = async () => {
//     const r = await signChallenge({ tbs: challengeB64, tbsEncoding: 'base64' });
//     // r.signature (CMS, base64), r.certb64, r.cardSN
//   };
// Errors are thrown as SignerError { code, lastError, message, response }.

export const DEFAULT_BASES = ['http://127.0.0.1:61161', 'http://localhost:61161'];

/** zh-TW messages for HiPKI / tessera-signer `ret_code` values. */
export const RET_CODE_MESSAGES = Object.freeze({
  0x00000000: '成功',
  0x76000001: '未輸入金鑰',
  0x76000002: '未輸入憑證',
  0x76000003: '未輸入待簽訊息',
  0x76000004: '未輸入密文',
  0x76000005: '未輸入函式庫檔案路徑',
  0x76000006: '未插入IC卡，請將憑證卡插入讀卡機後再試一次',
  0x76000007: '未登入IC卡',
  0x76000008: '型態錯誤',
  0x76000009: '檔案錯誤',
  0x7600000a: '檔案過大',
  0x7600000b: 'JSON格式錯誤',
  0x7600000c: '參數錯誤',
  0x7600000d: '執行檔錯誤或逾時',
  0x7600000e: '不支援的方法',
  0x7600000f: '此網站不在簽章元件的信任網站清單中',
  0x76000031: '此網站尚未取得您的授權使用簽章元件，請在簽章元件視窗中允許此網站',
  0x76000998: '未輸入PIN碼',
  0x76000999: '您已取消動作',
  0x76100001: '無法載入IC卡函式庫檔案，請確認讀卡機驅動程式（HiCOS）已安裝',
  0x76100002: '結束IC卡函式庫失敗',
  0x76100003: '找不到讀卡機，請確認讀卡機已接上電腦',
  0x76100004: '取得讀卡機資訊失敗',
  0x76100005: '取得session失敗',
  0x76100006: 'IC卡登入失敗（PIN碼錯誤或已鎖卡）',
  0x76100007: 'IC卡登出失敗',
  0x76100008: 'IC卡取得金鑰失敗',
  0x76100009: 'IC卡取得憑證失敗',
  0x7610000a: '取得函式庫資訊失敗',
  0x7610000b: 'IC卡卡片資訊失敗',
  0x7610000c: '卡片上找不到可簽章的憑證',
  0x7610000d: '卡片上找不到指定金鑰',
  0x76200001: '憑證檔（pfx）初始失敗',
  0x76200006: '憑證檔（pfx）登入失敗',
  0x76200007: '憑證檔（pfx）登出失敗',
  0x76200008: '不支援的憑證機構',
  0x76300001: '簽章初始錯誤',
  0x76300002: '不支援的簽章型別或雜湊演算法',
  0x76300003: '簽章內容錯誤',
  0x76300004: '簽章執行錯誤',
  0x76300005: '簽章憑證錯誤',
  0x76500001: '憑證尚未生效',
  0x76500002: '憑證已逾期',
  0x76600001: 'Base64編碼錯誤',
  0x76600002: '待簽資料的Base64格式錯誤',
});

/** zh-TW messages for PKCS#11 `last_error` values. */
export const LAST_ERROR_MESSAGES = Object.freeze({
  0x06: '卡片函式執行失敗',
  0x30: '讀卡機或卡片發生錯誤',
  0x32: '卡片已被移除',
  0xa0: 'PIN碼錯誤',
  0xa1: 'PIN碼格式不正確',
  0xa2: 'PIN碼長度錯誤',
  0xa3: 'PIN碼已過期，請先變更PIN碼',
  0xa4: 'PIN碼已鎖定（已鎖卡），請向發卡機關申請解鎖',
  0xe0: '讀卡機中沒有卡片',
  0xe1: '無法辨識此卡片',
  0x101: '尚未登入卡片',
});

/** Client-side conditions that are not component codes. */
export const CLIENT_MESSAGES = Object.freeze({
  not_running: '找不到簽章元件，請安裝並啟動 Tessera 簽章元件（或內政部 HiPKI 跨平台網頁元件）',
  popup_blocked: '瀏覽器封鎖了簽章元件視窗，請允許此網站開啟彈出式視窗後再試一次',
  timeout: '簽章元件沒有回應，請確認元件已啟動後再試一次',
  bad_answer: '簽章元件回傳的資料無法解讀',
});

function unsigned(code) {
  const n = Number(code);
  if (!Number.isFinite(n)) return NaN;
  return n < 0 ? n + 0x100000000 : n;
}

/** The zh-TW message for a `ret_code` (numbers or numeric strings; negative values accepted). */
export function message(retCode) {
  const c = unsigned(retCode);
  if (c in RET_CODE_MESSAGES) return RET_CODE_MESSAGES[c];
  return `簽章元件錯誤（代碼 0x${Number.isFinite(c) ? c.toString(16) : String(retCode)}）`;
}

/** The zh-TW message for a PKCS#11 `last_error`, or '' for none. */
export function lastErrorMessage(lastError) {
  const c = unsigned(lastError);
  if (!c) return '';
  if (c === 0x80000001) return 'PIN碼錯誤，剩餘一次機會';
  if (c === 0x80000002) return 'PIN碼錯誤，剩餘兩次機會';
  if (c in LAST_ERROR_MESSAGES) return LAST_ERROR_MESSAGES[c];
  return `卡片錯誤（代碼 0x${c.toString(16)}）`;
}

/** One zh-TW sentence for a component answer, including the PIN tries left when known. */
export function describe(response) {
  if (!response || typeof response !== 'object') return CLIENT_MESSAGES.bad_answer;
  const parts = [message(response.ret_code)];
  const minor = lastErrorMessage(response.last_error);
  if (minor) parts.push(minor);
  if (response.pinState === 'final_try' || response.pinTriesLeft === 1) {
    parts.push('再輸入錯誤一次將會鎖卡');
  } else if (response.pinState === 'count_low') {
    parts.push('PIN碼已輸入錯誤，剩餘次數不多');
  }
  return parts.join('：');
}

/** A failed component answer or client condition. */
export class SignerError extends Error {
  constructor(code, response) {
    const text = typeof code === 'string' ? CLIENT_MESSAGES[code] || code : describe(response);
    super(text);
    this.name = 'SignerError';
    this.code = code;
    this.lastError = response ? unsigned(response.last_error) || 0 : 0;
    this.response = response || null;
  }
}

function check(response) {
  if (!response || typeof response !== 'object' || !('ret_code' in response)) {
    throw new SignerError('bad_answer');
  }
  if (unsigned(response.ret_code) !== 0) throw new SignerError(unsigned(response.ret_code), response);
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new SignerError('timeout')), ms);
    promise.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/** Is this code the component's "this site is not approved" answer? */
export function isSiteNotAllowed(retCode) {
  const c = unsigned(retCode);
  return c === 0x76000031 || c === 0x7600000f;
}

/**
 * Is a component running, and may this site call it directly?
 * Resolves { running, base, direct, version, response } — never rejects. `direct` is true
 * whenever the site could read an answer that is not "site not allowed", even a failed one
 * (no reader, no card): `response` then says what is wrong. `withCerts` asks for the
 * certificates too (`/pkcs11info?withcert=true`).
 */
export async function findSigner({ bases = DEFAULT_BASES, timeoutMs = 2000, withCerts = false } = {}) {
  for (const base of bases) {
    try {
      // An opaque no-cors request still tells "something listens" from "connection refused".
      await withTimeout(fetch(`${base}/`, { mode: 'no-cors', cache: 'no-store' }), timeoutMs);
    } catch (e) {
      continue;
    }
    try {
      const info = `${base}/pkcs11info${withCerts ? '?withcert=true' : ''}`;
      const r = await withTimeout(fetch(info, { cache: 'no-store' }), timeoutMs);
      const body = await r.json();
      const direct = !!body && typeof body === 'object' && 'ret_code' in body
        && !isSiteNotAllowed(body.ret_code);
      return { running: true, base, direct, version: body.serverVersion || body.version || '', response: body };
    } catch (e) {
      // Running, but this site is not approved for direct calls (no CORS): use the popup.
      return { running: true, base, direct: false, version: '', response: null };
    }
  }
  return { running: false, base: null, direct: false, version: '', response: null };
}

/**
 * The request text for the popup: HiPKI's popup forwards it as an unencoded form field, so
 * '%', '&' and '+' are escaped here (HiPKI pages do `.replace(/\+/g, "%2B")`).
 */
export function popupPackage(payload) {
  return JSON.stringify(payload).replace(/%/g, '%25').replace(/&/g, '%26').replace(/\+/g, '%2B');
}

/**
 * HiPKI's popup protocol: opens `${base}/popupForm`, waits for {"func":"getTbs"}, sends the
 * request, resolves with the parsed answer. Call from a click handler: the window opens at
 * once. `payload` may be a Promise (e.g. of a challenge still being fetched from the server),
 * so the window opens within the click while the request is still being made; if it rejects,
 * the window closes and the promise rejects with that error.
 */
export function popupRequest(payload, { base = DEFAULT_BASES[0], timeoutMs = 120000, features } = {}) {
  const target = `${base.replace(/\/$/, '')}/popupForm`;
  const origin = new URL(target).origin;
  return new Promise((resolve, reject) => {
    const popup = window.open(target, 'tessera-signer', features || 'width=480,height=420');
    if (!popup) {
      reject(new SignerError('popup_blocked'));
      return;
    }
    let sent = false;
    let finished = false;
    const done = (fn, v) => {
      if (finished) return;
      finished = true;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      fn(v);
    };
    const request = Promise.resolve(payload);
    request.catch((e) => {
      try { popup.close(); } catch (x) { /* already closed */ }
      done(reject, e);
    });
    const onMessage = (ev) => {
      if (ev.origin !== origin || ev.source !== popup || typeof ev.data !== 'string') return;
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (!sent && data.func === 'getTbs') {
        sent = true;
        request.then((p) => popup.postMessage(popupPackage(p), origin), () => {});
        return;
      }
      if (sent) done(resolve, data);
    };
    const timer = setTimeout(() => {
      try { popup.close(); } catch (e) { /* already closed */ }
      done(reject, new SignerError('timeout'));
    }, timeoutMs);
    window.addEventListener('message', onMessage);
  });
}

async function directSign(base, payload) {
  const r = await fetch(`${base}/sign`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return r.json();
}

/**
 * Certificates on the card(s): [{ certb64, label, usage, sn, subjectDN, issuerDN, notBefore,
 * notAfter, slotDescription, serialNumber }]. `via`: 'popup' (default) or 'direct'.
 */
export async function listCertificates({ base = DEFAULT_BASES[0], via = 'popup' } = {}) {
  const answer = via === 'direct'
    ? await (await fetch(`${base}/pkcs11info?withcert=true`, { cache: 'no-store' })).json()
    : await popupRequest({ func: 'GetUserCert' }, { base });
  check(answer);
  const out = [];
  for (const slot of answer.slots || []) {
    const token = slot && typeof slot.token === 'object' ? slot.token : null;
    if (!token) continue;
    for (const c of token.certs || []) {
      out.push({ ...c, slotDescription: slot.slotDescription, serialNumber: token.serialNumber });
    }
  }
  return out;
}

/** Certificates usable for signing (keyUsage digitalSignature), CA certificates left out. */
export function signingCertificates(certs) {
  return certs.filter((c) => typeof c.usage === 'string' && c.usage.includes('digitalSignature')
    && !/ca\s?cert/i.test(c.label || ''));
}

/**
 * Signs a challenge. Options: tbs (string), tbsEncoding ('NONE' | 'base64'), pin (omit to let
 * tessera-signer ask in its own window), hashAlgorithm ('SHA256'), signatureType ('PKCS7'),
 * slotDescription, keyidb64, withCardSN (true), via ('popup' | 'direct'), base.
 * Resolves the answer { signature, certb64, cardSN, … }; throws SignerError otherwise.
 */
export async function signChallenge(opts) {
  const {
    tbs, tbsEncoding = 'NONE', pin, hashAlgorithm = 'SHA256', signatureType = 'PKCS7',
    slotDescription, keyidb64, withCardSN = true, via = 'popup', base = DEFAULT_BASES[0],
  } = opts || {};
  const payload = { func: 'MakeSignature', tbs, tbsEncoding, hashAlgorithm, signatureType,
    withCardSN: withCardSN ? 'true' : 'false' };
  if (pin) payload.pin = encodeURIComponent(pin);
  if (slotDescription) payload.slotDescription = slotDescription;
  if (keyidb64) payload.keyidb64 = keyidb64;
  const answer = via === 'direct' ? await directSign(base, payload) : await popupRequest(payload, { base });
  return check(answer);
}

function derItem(bytes, pos) {
  const tag = bytes[pos];
  let len = bytes[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('DER length');
    len = 0;
    for (let i = 0; i < n; i += 1) len = len * 256 + bytes[start + i];
    start += n;
  }
  if (tag === undefined || start + len > bytes.length) throw new Error('DER truncated');
  return { tag, start, end: start + len };
}

function derTime(bytes, item) {
  const s = String.fromCharCode(...bytes.subarray(item.start, item.end));
  const m = item.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error('DER time');
  let year = Number(m[1]);
  if (item.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
    .toISOString().replace('.000Z', 'Z');
}

/**
 * The validity dates of a certificate (base64 DER) as { notBefore, notAfter } ISO strings, or
 * null when it cannot be read. For components (HiPKI) whose answers do not carry them.
 */
export function certificateValidity(certb64) {
  try {
    const bytes = Uint8Array.from(atob(certb64), (ch) => ch.charCodeAt(0));
    const cert = derItem(bytes, 0);
    const tbs = derItem(bytes, cert.start);
    let pos = tbs.start;
    let item = derItem(bytes, pos);
    if (item.tag === 0xa0) { pos = item.end; item = derItem(bytes, pos); } // version
    for (let i = 0; i < 3; i += 1) { pos = item.end; item = derItem(bytes, pos); } // serial, alg, issuer
    const from = derItem(bytes, item.start);
    const to = derItem(bytes, from.end);
    return { notBefore: derTime(bytes, from), notAfter: derTime(bytes, to) };
  } catch (e) {
    return null;
  }
}
