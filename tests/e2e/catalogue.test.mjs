// A province's catalogue, in the real browser: its administrator adds land in hectares,
// renames an indicator and retires another from next month; a volunteer's phone learns it
// by sync and shows it from its next opening: the new indicator typed in hectares ("1,5")
// and kept in m², the new label; an officer's page takes it when it opens again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

const province = () => server.unitId('Thành phố Bắc Kạn');

/** A change of the catalogue filed by the province's administrator. */
function change(id, edit) {
  return server.api('POST', 'api/v1/catalogue', server.admin.token, { id, province: province(), edit });
}

/** The catalogue the phone keeps. */
async function kept(phone) {
  return JSON.parse(await phone.page.evaluate(() => localStorage.getItem('sotay.v1.catalogue')));
}

test('a phone follows its province catalogue: a new indicator in hectares, a new label, one retired', async () => {
  const phone = await Phone.open(browser, server, 'Danh mục');
  await phone.enrolIn('Tổ 13');
  const standard = (await kept(phone)).version;
  assert.ok(standard, 'the catalogue was kept at enrolment');
  // A ward officer enrolled before the changes, its page open.
  const officer = await Phone.open(browser, server, 'Cán bộ phường');
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ NTMK');
  await officer.page.waitForURL(/officer/);
  await officer.page.getByTestId('report-heading').waitFor();

  const now = new Date();
  const thisYear = now.getFullYear();
  // A retirement runs from a month's first day, never backdated: next month's.
  const next = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  const nextMonth = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-01`;
  await change('dm-e2e-1', { kind: 'add', indicator: {
    id: 'rung_trong_moi', label: 'Diện tích rừng trồng mới', unit: 'ha', kind: 'counter', content: 3 } });
  await change('dm-e2e-2', { kind: 'rename', indicator: 'dat_hien', label: 'Đất hiến làm đường' });
  await change('dm-e2e-3', { kind: 'retire', indicator: 'ngay_cong', from: nextMonth });

  // The next sync (an entry sent, or the one each opening makes) tells the phone of the
  // new version, which it fetches and keeps.
  await phone.enter('kien_nghi', '2');
  await phone.syncNow();
  await eventually(async () => (await kept(phone)).version, (v) => v === `${standard}+${province()}.3`, 'the new catalogue kept');
  // Until the screen opens again it shows the catalogue it opened with.
  assert.match(await (await phone.reveal('dat_hien')).innerText(), /Đất nhân dân hiến/);
  const section = phone.page.getByRole('heading', { name: /^Nội dung 3\./ });
  await phone.page.reload();
  await phone.entryShown();
  await section.click();
  const forest = phone.row('rung_trong_moi');
  await forest.waitFor();
  assert.match(await forest.innerText(), /Diện tích rừng trồng mới/);
  assert.match(await phone.row('dat_hien').innerText(), /Đất hiến làm đường/);
  // Retired from next month: offered until then, its day kept on the phone.
  assert.equal((await kept(phone)).indicators.find((i) => i.id === 'ngay_cong').retired, nextMonth);

  // Land in hectares: typed with a decimal comma, kept in m², shown in ha.
  await forest.getByRole('button', { name: 'Nhập' }).click();
  const field = forest.getByLabel(/Số lượng \(ha\)/);
  assert.equal(await field.getAttribute('inputmode'), 'decimal');
  await field.fill('1,25,5');
  await forest.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => forest.getByRole('alert').innerText(), (t) => t.length > 0, 'a malformed amount refused');
  await field.fill('1,5');
  await forest.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => phone.saveMessage(), (t) => /1,5 ha/.test(t), 'saved in hectares');
  await phone.screenshot(`${SHOTS}phone-catalogue-hectares.png`);
  await phone.syncNow();
  const report = await server.api('GET', `api/v1/units/${server.unitId('Tổ 13')}/report?period=${thisYear}`,
    server.admin.token);
  assert.deepEqual(report.unit.figures.rung_trong_moi, { counter: { total: 15000 } }, 'kept in m²');
  await phone.context.close();

  // The officer's page, opened again, takes the province's catalogue (and opens once more
  // with it): its report lists the new indicator, in hectares.
  await officer.page.reload();
  const figures = officer.page.locator('ul.figures');
  // The page opens twice (the second time with the new catalogue): read whatever is there.
  await eventually(() => figures.allInnerTexts().then((t) => t.join('\n')).catch(() => ''),
    (t) => /Diện tích rừng trồng mới\s*1,5 ha/.test(t) && /Đất hiến làm đường/.test(t), 'the new catalogue in the report');
  await officer.context.close();
});

test('the province administrator adds, renames and retires indicators on its screen', async () => {
  const admin = await Phone.open(browser, server, 'Quản trị tỉnh');
  await admin.join(await server.issueCode('province_admin', 'Thành phố Bắc Kạn'), 'Quản trị danh mục');
  await admin.page.waitForURL(/officer/);
  const page = admin.page;
  await page.getByRole('tab', { name: 'Danh mục' }).click();
  const list = page.getByTestId('catalogue-list');
  await eventually(() => list.innerText(), (t) => /Tổng số hộ · hộ · số hiện có/.test(t), 'the catalogue');

  await page.getByText('Thêm chỉ tiêu', { exact: true }).first().click();
  await page.getByLabel('Tên chỉ tiêu').fill('Số hộ dùng nước sạch');
  await page.getByLabel('Đơn vị tính').fill('hộ');
  await page.getByLabel('Cách tính').selectOption({ label: 'Số hiện có' });
  await page.getByLabel('Thuộc nội dung').selectOption({ label: 'Nội dung 2. Đời sống văn hóa, giáo dục, y tế' });
  await page.getByRole('button', { name: 'Thêm chỉ tiêu' }).click();
  const status = page.locator('section.catalogue [role=status]');
  await eventually(() => status.innerText(), (t) => /Đã thêm chỉ tiêu "Số hộ dùng nước sạch"/.test(t), 'added');
  await eventually(() => list.innerText(), (t) => /Số hộ dùng nước sạch · hộ · số hiện có/.test(t), 'listed');
  // The same again is refused with the server's reason.
  await page.getByRole('button', { name: 'Thêm chỉ tiêu' }).click();
  const alert = page.locator('section.catalogue > [role=alert]');
  await eventually(() => alert.innerText(), (t) => /đã có trong danh mục/.test(t), 'an id taken refused');

  await page.getByText('Đổi tên hoặc cho thôi dùng').click();
  const chosen = page.getByLabel(/^Chỉ tiêu/);
  await chosen.selectOption({ label: 'Camera an ninh lắp mới' });
  const nextYear = new Date().getFullYear() + 1;
  await page.getByLabel(/Thôi dùng từ ngày/).fill(`01/01/${nextYear}`);
  await page.getByRole('button', { name: 'Cho thôi dùng' }).click();
  await eventually(() => list.innerText(), (t) => new RegExp(`Camera an ninh lắp mới · .* · thôi dùng từ 01/01/${nextYear}`).test(t), 'retired');
  assert.equal(await chosen.inputValue(), '', 'after a change no indicator stays chosen');
  await admin.screenshot(`${SHOTS}officer-catalogue.png`);

  const catalogue = await server.api('GET', 'api/v1/catalogue', server.admin.token);
  const added = catalogue.indicators.find((i) => i.id === 'so_ho_dung_nuoc_sach');
  assert.deepEqual([added.kind, added.content, added.unit], ['level', 2, 'hộ']);
  assert.equal(catalogue.indicators.find((i) => i.id === 'camera_an_ninh').retired, `${nextYear}-01-01`);
  await admin.context.close();
});
