// Reads Tessera's outgoing mail from the Maildir (<data-dir>/mail/new/): parses RFC 5322
// messages, decodes RFC 2047 encoded-word headers and quoted-printable / base64 bodies in
// their charset, and waits for the message a test expects.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function splitHead(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return [raw, ''];
  return [raw.slice(0, m.index), raw.slice(m.index + m[0].length)];
}

/** Header fields, unfolded, names lower-cased (the first occurrence wins). */
export function parseHeaders(head) {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(i + 1).trim();
  }
  return headers;
}

function bytesToText(bytes, charset) {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function qpBytes(text, header) {
  const src = header ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
  const out = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      out.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(c, 'utf-8'));
    }
  }
  return Uint8Array.from(out);
}

/** Decodes RFC 2047 encoded-words; whitespace between adjacent encoded-words is dropped. */
export function decodeWords(value) {
  const word = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(word, (_, charset, enc, text) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text, true);
    return bytesToText(bytes, charset.split('*')[0]);
  });
}

function param(value, name) {
  const m = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(value || '');
  return m ? (m[2] ?? m[1]) : undefined;
}

/** The decoded text/plain body of a message (the first text/plain part of a multipart). */
export function textBody(headers, body) {
  const type = headers['content-type'] || 'text/plain; charset=us-ascii';
  if (/^multipart\//i.test(type)) {
    const boundary = param(type, 'boundary');
    if (!boundary) return '';
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const [h, b] = splitHead(part.replace(/^\r?\n/, ''));
      const text = textBody(parseHeaders(h), b);
      if (text) return text;
    }
    return '';
  }
  if (!/^text\/plain/i.test(type)) return '';
  const charset = param(type, 'charset') || 'us-ascii';
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  if (cte === 'base64') return bytesToText(Buffer.from(body.replace(/\s+/g, ''), 'base64'), charset);
  if (cte === 'quoted-printable') return bytesToText(qpBytes(body, false), charset);
  return bytesToText(Buffer.from(body, 'binary'), charset);
}

/** Parses one raw message into { to, subject, text, file }. */
export function parseMessage(raw, file) {
  const [head, body] = splitHead(raw);
  const headers = parseHeaders(head);
  return {
    file,
    headers,
    to: decodeWords(headers.to || ''),
    subject: decodeWords(headers.subject || ''),
    text: textBody(headers, body),
  };
}

/** Every message in <dataDir>/mail/new, oldest first. */
export async function messages(dataDir) {
  const dir = join(dataDir, 'mail', 'new');
  let names = [];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const items = await Promise.all(
    names.map(async (n) => {
      const file = join(dir, n);
      const [raw, st] = await Promise.all([readFile(file, 'binary'), stat(file)]);
      return { msg: parseMessage(raw, file), mtime: st.mtimeMs };
    }),
  );
  return items.sort((a, b) => a.mtime - b.mtime).map((i) => i.msg);
}

/**
 * Waits for a message to `to` whose body has a link starting with `prefix` that was not
 * returned before (`seen` holds used files); returns { link, message }.
 */
export async function waitForLink(dataDir, to, prefix, seen, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const m of (await messages(dataDir)).reverse()) {
      if (seen.has(m.file) || !m.to.toLowerCase().includes(to.toLowerCase())) continue;
      const i = m.text.indexOf(prefix);
      if (i < 0) continue;
      seen.add(m.file);
      const link = m.text.slice(i).split(/\s/)[0];
      return { link, message: m };
    }
    await sleep(100);
  }
  throw new Error(`no mail to ${to} with a link starting ${prefix} within ${timeoutMs} ms`);
}

/**
 * Verifies `email` as its owner does (an unverified account signs in only to verify or change
 * its address): opens the newest verification link mailed to it that is not in `seen`, in
 * `page`, and presses the landing page's button. Resolves once the next page loaded (會員中心
 * when signed in, else 會員登入).
 */
export async function verifyEmail(page, base, dataDir, email, seen = new Set()) {
  const { link } = await waitForLink(dataDir, email, `${base}/verify-email?token=`, seen);
  await page.goto(link);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/verify-email')),
    page.getByRole('button', { name: '確認驗證電子信箱', exact: true }).click(),
  ]);
  await page.getByText('電子信箱驗證完成。').waitFor();
}
