// Unit tests of the Maildir reader: encoded-word subjects and QP / base64 bodies in UTF-8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWords, parseMessage } from './mail.mjs';

test('decodes encoded-word subjects, split words joined', () => {
  const b64 = Buffer.from('【Tessera】電子郵件信箱驗證').toString('base64');
  assert.equal(decodeWords(`=?UTF-8?B?${b64}?=`), '【Tessera】電子郵件信箱驗證');
  assert.equal(decodeWords('=?utf-8?Q?caf=C3=A9?= =?utf-8?Q?_ok?='), 'café ok');
  assert.equal(decodeWords('plain subject'), 'plain subject');
});

test('decodes quoted-printable and base64 text bodies', () => {
  const qp = 'To: a@example.tw\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n' +
    'Content-Transfer-Encoding: quoted-printable\r\n\r\n=E7=8E=8B=E5=B0=8F=E6=98=8E =\r\n' +
    '=F0=A1=98=99 http://h/verify-email?token=3Dabc\r\n';
  assert.equal(parseMessage(qp, 'f').text, '王小明 𡘙 http://h/verify-email?token=abc\r\n');
  const body = Buffer.from('連結 http://h/password/reset?token=xyz\n').toString('base64');
  const b64 = 'To: =?utf-8?B?546L?= <a@example.tw>\nContent-Type: text/plain; charset="UTF-8"\n' +
    `Content-Transfer-Encoding: base64\n\n${body.slice(0, 20)}\n${body.slice(20)}\n`;
  const m = parseMessage(b64, 'g');
  assert.equal(m.text, '連結 http://h/password/reset?token=xyz\n');
  assert.equal(m.to, '王 <a@example.tw>');
});
