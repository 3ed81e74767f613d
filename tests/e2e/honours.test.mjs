// Titles and commendations, in the real browser: a ward's officer records Tổ 11's title
// "Tổ dân phố văn hóa" with its decision (a second title of the year refused, in
// Vietnamese), a commendation to a person; the counts say so; a wrong record is
// withdrawn, stays listed and no longer counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

const two = (n) => String(n).padStart(2, '0');
const today = () => { const d = new Date(); return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()}`; };

test('a ward records a title and a commendation, and withdraws a wrong one', async () => {
  const officer = await Phone.open(browser, server, 'Cán bộ phường');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ phường NTMK');
  await officer.page.waitForURL(/officer/);
  const page = officer.page;
  await page.getByRole('tab', { name: 'Khen thưởng' }).click();
  const list = page.getByTestId('honour-list');
  await eventually(() => list.innerText(), (t) => /Chưa có bản ghi nào/.test(t), 'nothing yet');

  const form = page.locator('form.issue');
  const save = async () => form.getByRole('button', { name: 'Ghi' }).click();
  await form.getByLabel('Khu dân cư, xã, phường').selectOption({ label: 'Tổ 11' });
  await form.getByLabel('Số quyết định').fill('125/QĐ-UBND');
  await form.getByLabel('Ngày quyết định (ngày/tháng/năm)').fill(today());
  await form.getByLabel('Cơ quan quyết định').fill('UBND phường Nguyễn Thị Minh Khai');
  await save();
  const done = page.getByTestId('honour-done');
  const year = new Date().getFullYear();
  await eventually(() => done.innerText(), (t) => t === `Đã ghi: Danh hiệu "Thôn, Tổ dân phố văn hóa" năm ${year}.`, 'recorded');

  // The same title again, under another decision: refused, said why.
  await form.getByLabel('Số quyết định').fill('126/QĐ-UBND');
  await save();
  await eventually(() => form.getByRole('alert').innerText(),
    (t) => t === `Tổ 11 đã được công nhận năm ${year} (quyết định số 125/QĐ-UBND).`, 'a second title refused');

  // A commendation to a person.
  await form.getByLabel('Loại').selectOption({ label: 'Giấy khen' });
  await form.getByLabel('Người được khen (để trống nếu khen tập thể)').fill('Bà Lường Thị Hoa');
  await form.getByLabel('Số quyết định').fill('45/QĐ-MTTQ');
  // Its first try reaches the server but the answer is lost; after a look at another
  // tab, the officer saves again: the same record, filed once.
  let lost = 0;
  await page.route('**/api/v1/honours', async (route) => {
    await route.fetch();
    lost += 1;
    await route.abort('internetdisconnected');
  }, { times: 1 });
  await save();
  await eventually(() => form.getByRole('alert').innerText(), (t) => t.length > 0, 'the lost answer said');
  assert.equal(lost, 1, 'the record reached the server');
  await page.getByRole('tab', { name: 'Số liệu' }).click();
  await page.getByRole('tab', { name: 'Khen thưởng' }).click();
  await form.getByLabel('Loại').selectOption({ label: 'Giấy khen' });
  await form.getByLabel('Khu dân cư, xã, phường').selectOption({ label: 'Tổ 11' });
  await form.getByLabel('Người được khen (để trống nếu khen tập thể)').fill('Bà Lường Thị Hoa');
  await form.getByLabel('Số quyết định').fill('45/QĐ-MTTQ');
  await form.getByLabel('Cơ quan quyết định').fill('UBND phường Nguyễn Thị Minh Khai');
  await save();
  await eventually(() => done.innerText(), (t) => t === 'Đã ghi: Giấy khen cấp huyện cho Bà Lường Thị Hoa.', 'commended');
  const filed = await server.api('GET',
    `api/v1/units/${server.unitId('Phường Nguyễn Thị Minh Khai')}/honours?period=${year}`, server.admin.token);
  assert.equal(filed.records.filter((r) => r.honour.kind.kind === 'commendation').length, 1, 'filed once');
  const counts = page.getByTestId('honour-counts');
  await eventually(() => counts.innerText(), (t) => /Thôn, Tổ dân phố văn hóa"\s+1 lượt/.test(t) && /Giấy khen\s+1 bản/.test(t),
    'counted');
  await officer.screenshot(`${SHOTS}officer-honours.png`);

  // The title was wrong: withdrawn, still listed, no longer counted.
  const title = list.locator('li[data-honour]', { hasText: 'Danh hiệu' });
  await title.getByRole('button', { name: 'Hủy bản ghi' }).click();
  await title.getByRole('button', { name: 'Xác nhận hủy' }).click();
  await eventually(() => counts.innerText(), (t) => /Thôn, Tổ dân phố văn hóa"\s+0 lượt/.test(t), 'no longer counted');
  await eventually(() => list.locator('li[data-honour]', { hasText: 'Danh hiệu' }).innerText(), (t) => /Đã hủy/.test(t), 'listed as withdrawn');
  assert.deepEqual(officer.errors, []);
});
