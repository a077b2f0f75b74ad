// Organizations (seed 003 chapter 3) in a real browser, through the real tessera-signer
// on SoftHSM2 cards (PIN typed in the signer's own window), with revocation answered by real
// `openssl ocsp` responders per CA (orgs-env.mjs). An organization registers with a matching GCA
// card; its manager assigns three handlers with different permissions (one serial read from the
// card with 讀取憑證); a handler signs in and sees only what was granted while the server refuses
// the rest when called directly; the manager modifies and deletes handlers, replaces the
// organization certificate with a renewed card and queries the receipt records; a school whose
// card does not match the registry goes through the review queue (approved over the back-office
// JSON API) and then registers. Every page is checked with axe-core at 375 px; screenshots in
// test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  NDC, PASSWORD, RENEWED_SERIAL, SCHOOL, STAFF_PASSWORD, addHandler, cardsSteps, check, click, env,
  fillDetails, insertCard, newPage, openAssignment, sign, startEnv, stopEnv,
} from './orgs-env.mjs';

let manager; // the manager's browser page, kept across tests (the assignment session)
let handler; // the signed-in handler's page

before(startEnv);
after(stopEnv);

test('an organization registers with its matching agency card and its manager\'s citizen card', async () => {
  const page = await newPage();
  await page.goto(`${env.tessera.base}/orgs`);
  await check(page, '01-index');
  await click(page, '首次註冊');
  const wang = env.pki.entity('citizen-wang');
  await cardsSteps(page, { code: NDC, orgCard: 'agency-ndc', managerCard: 'citizen-wang', managerId: wang.national_id }, '02');
  // 圖3-9: both certificates before the details.
  const text = await page.locator('main').innerText();
  assert.ok(text.includes(env.pki.entity('agency-ndc').organization_oid) && text.includes(wang.serial), text);
  await fillDetails(page, { name: '王小明', email: 'wang@example.gov.tw', password: PASSWORD });
  await check(page, '03-details');
  await click(page, '確認');
  await page.getByText('首次註冊成功！').waitFor();
  assert.match(await page.locator('main').innerText(), /首次註冊/);
  await check(page, '04-registered');
  await page.context().close();
});

test('the manager opens the assignment with both cards and assigns three handlers with different permissions', async () => {
  manager = await newPage();
  await openAssignment(manager, 'agency-ndc');
  await check(manager, '10-assign-manager-card');
  await insertCard('citizen-wang');
  await manager.fill('#f-national_id', env.pki.entity('citizen-wang').national_id);
  await sign(manager, '以自然人憑證簽章');
  assert.match(manager.url(), /\/orgs\/A0001\/handlers$/);
  await manager.getByText('請進行授權指派').waitFor();
  await check(manager, '11-handlers-empty');

  // Nothing granted: refused next to the tree. The group toggle ticks its functions.
  await click(manager, '新增', 'link');
  await check(manager, '12-handler-form');
  await manager.check('input[value="premium"]');
  for (const f of ['premium.change', 'premium.send', 'premium.query']) {
    assert.ok(await manager.isChecked(`input[value="${f}"]`), f);
  }
  await manager.uncheck('input[value="premium.change"]');
  assert.equal(await manager.isChecked('input[value="premium"]'), false);
  await manager.goBack();

  const chen = env.pki.entity('citizen-chen');
  const li = env.pki.entity('citizen-li');
  const huang = env.pki.entity('citizen-huang-expired');
  await addHandler(manager, { serial: chen.serial, readCard: 'citizen-chen', name: chen.name, id: chen.national_id, permissions: ['premium.send', 'tessera.receipts'] });
  await addHandler(manager, { serial: li.serial, name: li.name, id: li.national_id, permissions: ['premium'] });
  await addHandler(manager, { serial: huang.serial, name: huang.name, id: huang.national_id, permissions: ['general_query'] });
  assert.match(await manager.locator('#list-summary').innerText(), /顯示第 1 至 3 項結果，共 3 項/);
  await check(manager, '13-handlers-three');
  await manager.fill('#f-q', li.name);
  await click(manager, '搜尋');
  assert.match(await manager.locator('#list-summary').innerText(), /共 1 項/);
});

test('a handler signs in with the card and can do only what was granted; the server refuses the rest', async () => {
  handler = await newPage();
  const chen = env.pki.entity('citizen-chen');
  // 查詢自然人憑證序號: what a handler gives the manager.
  await handler.goto(`${env.tessera.base}/orgs/lookup/citizen-certificate`);
  await insertCard('citizen-chen');
  await handler.fill('#f-national_id', chen.national_id);
  await sign(handler, '以憑證卡簽章查詢');
  assert.equal((await handler.locator('#found-serial').innerText()).toLowerCase(), chen.serial.toLowerCase().replace(/^0+/, ''));
  await check(handler, '19-serial-lookup');
  await handler.goto(`${env.tessera.base}/orgs/handler/login`);
  await check(handler, '20-handler-login');
  await insertCard('citizen-chen');
  await handler.fill('#f-national_id', chen.national_id);
  await sign(handler, '以自然人憑證登入');
  assert.match(handler.url(), /\/orgs\/A0001\/workspace$/);
  const menu = await handler.locator('main').innerText();
  assert.ok(menu.includes('申報資料傳送') && !menu.includes('異動登錄') && !menu.includes('一般查詢作業'), menu);
  await check(handler, '21-workspace');

  const api = (path) => handler.request.get(`${env.tessera.base}${path}`, { maxRedirects: 0 });
  let r = await api('/api/v1/orgs/A0001/functions/premium.send');
  assert.equal(r.status(), 303);
  assert.match(r.headers().location, /premium\/send/);
  for (const path of ['/api/v1/orgs/A0001/functions/premium.change', '/api/v1/orgs/A0001/handlers',
    '/api/v1/orgs/A0001/authorized', '/api/v1/orgs/A0001/functions/general_query.insured']) {
    r = await api(path);
    assert.equal(r.status(), 403, path);
    assert.equal((await r.json()).error.code, 'org_permission_denied', path);
  }
  // The manager's pages are refused to the handler as well.
  const resp = await handler.goto(`${env.tessera.base}/orgs/A0001/handlers`);
  assert.equal(resp.status(), 403);
  // Granted: the receipt records.
  await handler.goto(`${env.tessera.base}/orgs/A0001/receipts`);
  assert.match(await handler.locator('#receipts').innerText(), /首次註冊/);
});

test('the manager modifies and deletes handlers; the handler\'s menu follows at once', async () => {
  const chen = env.pki.entity('citizen-chen');
  await manager.goto(`${env.tessera.base}/orgs/A0001/handlers`);
  await click(manager, `修改 ${chen.name}`, 'link');
  await manager.uncheck('input[value="premium.send"]');
  await manager.check('input[value="premium.change"]');
  await check(manager, '30-modify');
  await click(manager, '確定');
  await manager.getByText('修改成功！').waitFor();
  await handler.goto(`${env.tessera.base}/orgs/A0001/workspace`);
  const menu = await handler.locator('main').innerText();
  assert.ok(menu.includes('異動登錄') && !menu.includes('申報資料傳送'), menu);

  const huang = env.pki.entity('citizen-huang-expired');
  await click(manager, `刪除 ${huang.name}`, 'link');
  await manager.getByText('您確定刪除這筆資料?').waitFor();
  await check(manager, '31-delete-confirm');
  await click(manager, '確定刪除');
  await manager.getByText('刪除成功！').waitFor();
  assert.match(await manager.locator('#list-summary').innerText(), /共 2 項/);
  await check(manager, '32-deleted');
});

test('the manager replaces the organization certificate; the old card no longer opens the assignment; receipts are listed', async () => {
  const page = manager;
  await page.goto(`${env.tessera.base}/orgs`);
  await click(page, '更換機關憑證');
  const wang = env.pki.entity('citizen-wang');
  await cardsSteps(page, { code: NDC, orgCard: 'agency-ndc-renewed', managerCard: 'citizen-wang', managerId: wang.national_id }, '40');
  assert.ok((await page.locator('main').innerText()).toLowerCase().includes(RENEWED_SERIAL.toLowerCase()), 'new serial shown');
  await fillDetails(page, { name: '王小明', email: 'wang@example.gov.tw' });
  await click(page, '確認');
  await page.getByText('更換機關憑證成功！').waitFor();
  await check(page, '41-replaced');

  await openAssignment(page, 'agency-ndc');
  await page.getByText('此機關憑證不是貴機關目前註冊的憑證').first().waitFor();
  await check(page, '42-old-card-refused');
  await insertCard('agency-ndc-renewed');
  await sign(page, '以機關憑證簽章');
  await insertCard('citizen-wang');
  await page.fill('#f-national_id', wang.national_id);
  await sign(page, '以自然人憑證簽章');
  assert.match(page.url(), /\/orgs\/A0001\/handlers$/);
  await click(page, '查詢憑證註冊收件紀錄', 'link');
  const rows = page.locator('#receipts tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /首次註冊/);
  assert.match(await rows.nth(1).innerText(), /更換機關憑證/);
  assert.match(await rows.nth(1).innerText(), /\d+年\d\d月\d\d日\d\d點\d\d分\d\d秒/);
  await check(page, '43-receipts');
  await page.goto(`${env.tessera.base}/orgs/A0001/authorized`);
  assert.equal(await page.locator('#authorized tbody tr').count(), 2);
  await check(page, '44-authorized');
});

test('a card that does not match the registry goes to the review queue and registers after approval', async () => {
  const page = await newPage();
  await page.goto(`${env.tessera.base}/orgs`);
  await click(page, '首次註冊');
  const li = env.pki.entity('citizen-li');
  await cardsSteps(page, { code: SCHOOL, orgCard: 'org-school', managerCard: 'citizen-li', managerId: li.national_id }, '50');
  assert.match(page.url(), /\/contact$/);
  await page.getByText('貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料。').waitFor();
  await check(page, '51-contact');
  await page.fill('#f-name', '張校長');
  await page.fill('#f-phone', '(02)2303-4381');
  await page.fill('#f-email', 'principal@example.edu.tw');
  await click(page, '確認');
  // The end page of the request: its reference and what happens next, not the card form.
  assert.match(page.url(), /\/org-certificate\?filed=1$/);
  await page.getByText('審核申請已送出').waitFor();
  await page.getByText('申請資料審核中').first().waitFor();
  await page.getByText('案件編號', { exact: true }).waitFor();
  assert.equal(await page.locator('#f-agency_code').count(), 0, 'no card form on the end page');
  await check(page, '51b-filed');
  // Until a reviewer decides, the card is answered the same.
  await page.goto(page.url().replace(/\?filed=1$/, ''));
  await page.fill('#f-agency_code', SCHOOL);
  await sign(page, '以機關憑證簽章');
  await page.locator('.error-summary').getByText('申請資料審核中').waitFor();
  await check(page, '52-pending');

  // The reviewer approves over the back-office JSON API.
  const office = await env.browser.newContext({ extraHTTPHeaders: { Origin: env.tessera.base } });
  const req = office.request;
  let r = await req.post(`${env.tessera.base}/api/v1/backoffice/session`, { data: { username: 'rev01', password: STAFF_PASSWORD } });
  assert.ok(r.ok(), await r.text());
  r = await req.get(`${env.tessera.base}/api/v1/backoffice/reviews?status=pending`);
  const body = await r.json();
  const mine = body.items.find((c) => c.agency_code === SCHOOL);
  assert.ok(mine, JSON.stringify(body));
  r = await req.post(`${env.tessera.base}/api/v1/backoffice/reviews/${mine.id}/approve`, { data: {} });
  assert.ok(r.ok(), await r.text());
  await office.close();

  await sign(page, '以機關憑證簽章');
  assert.match(page.url(), /\/manager-certificate$/);
  await insertCard('citizen-li');
  await page.fill('#f-national_id', li.national_id);
  await sign(page, '以自然人憑證簽章');
  await fillDetails(page, { name: li.name, email: 'li@example.edu.tw', password: PASSWORD });
  await click(page, '確認');
  await page.getByText('首次註冊成功！').waitFor();
  await check(page, '53-school-registered');
  await page.context().close();
});

test('the pages are in English too', async () => {
  const page = await newPage();
  await page.goto(`${env.tessera.base}/lang?set=en&next=/orgs`);
  await page.getByRole('heading', { name: 'Organization services' }).waitFor();
  await check(page, '60-index-en');
  await page.context().close();
});
