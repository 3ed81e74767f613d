// The entry screen as an older volunteer uses it, at 360×740: the contents as sections
// that open on a tap, one entry form open at a time with the focus in its amount field,
// "Đã lưu" next to the row saved (and said to screen readers), Có / Không showing the
// answer given, no tap target under 48 px and no text under 16 px. The screenshots go into README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

test('sections open on a tap, one form is open at a time, and "Đã lưu" shows by the row saved', async () => {
  const phone = await Phone.open(browser, server, 'Màn hình');
  await phone.enrolIn('Tổ 11');
  const page = phone.page;
  const sections = page.locator('details.content');
  assert.equal(await sections.count(), 6, 'general information and the 5 contents');
  assert.deepEqual(await sections.evaluateAll((all) => all.map((d) => d.open)), Array(6).fill(false), 'all closed');
  assert.equal(await page.locator('article.indicator').count(), 0, 'a closed section has built no rows yet');
  await phone.screenshot(`${SHOTS}entry-sections.png`);

  // Content 3 opens on its heading; its rows show.
  const land = await phone.reveal('dat_hien');
  assert.ok(await land.isVisible());
  await land.getByRole('button', { name: 'Nhập' }).click();
  const amount = land.getByLabel(/Số lượng/);
  assert.ok(await amount.evaluate((input) => input === document.activeElement), 'the amount field has the focus');
  assert.equal(await amount.getAttribute('inputmode'), 'numeric');

  // Opening another row's form closes the first.
  const road = phone.row('duong_lam_moi');
  await road.getByRole('button', { name: 'Nhập' }).click();
  assert.equal(await land.locator('form').count(), 0, 'the first form closed');
  await road.getByLabel(/Số lượng/).fill('35');
  await road.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => road.getByTestId('row-saved').innerText(), (t) => t.startsWith('Đã lưu: 35 m — '), 'by the row');
  assert.match(await phone.saveMessage(), /^Đã lưu: 35 m — /, 'and said to screen readers');
  assert.equal(await page.getByRole('status').filter({ hasText: 'Đã lưu' }).count(), 1, 'one live region says it');
  assert.equal(await land.getByTestId('row-saved').innerText(), '', 'not by another row');
  await phone.screenshot(`${SHOTS}entry-saved.png`);
  // Closed and opened again, the section keeps its rows as they were.
  const heading = page.getByRole('heading', { name: 'Nội dung 3. Môi trường sáng, xanh, sạch, đẹp' });
  await road.evaluate((row) => { row.dataset.kept = 'yes'; });
  await heading.click();
  assert.equal(await road.isVisible(), false, 'closed');
  await heading.click();
  assert.equal(await road.getAttribute('data-kept'), 'yes', 'the row kept, not built again');
  assert.match(await road.getByTestId('row-saved').innerText(), /^Đã lưu: 35 m — /);
  assert.equal(await page.locator('article.indicator').count(), await sections.nth(3).locator('article.indicator').count(),
    'only the opened section has rows');

  // The answer the screen shows is the one its button shows pressed; with the area's
  // report on the phone, a question nobody answered is still unanswered, not "Không".
  await phone.syncNow();
  const festival = await phone.reveal('ngay_hoi_ddk');
  const pressed = () => festival.getByRole('button').evaluateAll((all) => all.map((b) => b.getAttribute('aria-pressed')));
  assert.equal(await phone.areaValue('ngay_hoi_ddk'), 'Chưa trả lời');
  assert.deepEqual(await pressed(), ['false', 'false'], 'neither answer pressed');
  await phone.tick('ngay_hoi_ddk', 'Có');
  await eventually(pressed, (p) => p[0] === 'true' && p[1] === 'false', 'Có pressed');
  await phone.tick('ngay_hoi_ddk', 'Không');
  await eventually(pressed, (p) => p[0] === 'false' && p[1] === 'true', 'Không pressed');

  // Every button, link and field one can tap is 48 px high or more, and no two rows'
  // buttons are closer than 8 px.
  const small = await page.locator('button:visible, a:visible, input:visible, summary:visible').evaluateAll((all) =>
    all.map((e) => [e.textContent.trim() || e.getAttribute('aria-label') || e.tagName, e.getBoundingClientRect().height])
      .filter(([, h]) => h < 48));
  assert.deepEqual(small, [], 'tap targets under 48 px');
  const gap = await festival.getByRole('button').evaluateAll(([yes, no]) =>
    no.getBoundingClientRect().left - yes.getBoundingClientRect().right);
  assert.ok(gap >= 8, `Có and Không ${gap} px apart`);
  const fonts = await page.locator('main *:visible, header *:visible').evaluateAll((all) =>
    all.filter((e) => e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
      .map((e) => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])
      .filter(([, size]) => size < 16));
  assert.deepEqual(fonts, [], 'texts under 16 px');
  await phone.screenshot(`${SHOTS}entry-answers.png`);
  assert.deepEqual(phone.errors, []);
  await phone.context.close();
});

test('an indicator is found without diacritics, the most used come first, and the day is typed dd/mm/yyyy', async () => {
  const phone = await Phone.open(browser, server, 'Tìm');
  await phone.enrolIn('Tổ 13');
  const page = phone.page;
  const find = page.getByTestId('find');
  assert.equal(await find.getByRole('button').count(), 0, 'nothing is used yet');
  await phone.enter('ngay_cong', '12');
  await phone.enter('dat_hien', '30');
  await phone.enter('dat_hien', '20');
  // The search field's list: "Hay dùng", the most entries first.
  const listed = () => find.getByRole('button').allInnerTexts();
  await eventually(listed, (l) => l.join() === 'Đất nhân dân hiến,Ngày công lao động nhân dân', 'the most used');
  assert.match(await find.innerText(), /Hay dùng/);

  // Typed without diacritics, in any case; nothing found says so.
  const search = page.getByLabel(/Tìm chỉ tiêu/);
  await search.fill('TIEN dan gop');
  assert.deepEqual(await listed(), ['Tiền nhân dân đóng góp']);
  await search.fill('quy khuyen');
  assert.deepEqual(await listed(), ['Quỹ khuyến học']);
  await search.fill('quy');
  assert.deepEqual(await listed(), ['Quỹ "Vì người nghèo"', 'Có quy ước, hương ước được phê duyệt', 'Quỹ "Đền ơn đáp nghĩa"',
    'Quỹ khuyến học'], 'every word that begins with quy');
  await search.fill('xyz');
  assert.deepEqual(await listed(), []);
  assert.match(await find.innerText(), /Không có chỉ tiêu nào khớp/);

  // A tap on what was found opens its section and its form, the focus in the amount field.
  await search.fill('tien dan');
  await find.getByRole('button', { name: 'Tiền nhân dân đóng góp' }).click();
  const money = phone.row('tien_dan_gop');
  const amount = money.getByLabel(/Số lượng/);
  await eventually(() => amount.evaluate((input) => input === document.activeElement), Boolean, 'the focus');
  assert.ok(await money.isVisible(), 'its section opened');
  assert.ok(await amount.evaluate((input) => {
    const box = input.getBoundingClientRect();
    return document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2) === input;
  }), 'the field is in view, not under the bar');
  assert.equal(await search.inputValue(), '', 'the search is cleared');

  // The −/+ button turns the sign, for number pads without a minus key.
  await amount.fill('20');
  const sign = money.getByRole('button', { name: /^−\/\+: đổi dấu/ });
  await sign.click();
  assert.equal(await amount.inputValue(), '-20');
  await sign.click();
  assert.equal(await amount.inputValue(), '20');
  await phone.screenshot(`${SHOTS}entry-find.png`);

  // The day reads dd/mm/yyyy whatever the phone's language; one that is not a day is
  // refused under its field and by the row, and nothing is saved.
  const day = page.getByLabel(/Ngày ghi/);
  assert.match(await day.inputValue(), /^\d\d\/\d\d\/\d{4}$/);
  const entries = async () => JSON.parse(await phone.storedLedger()).entries.length;
  const before = await entries();
  await day.fill('31/02/2026');
  await day.blur();
  assert.match(await page.locator('#date-error').innerText(), /"31\/02\/2026" không phải một ngày/);
  await money.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => money.getByRole('alert').innerText(), (t) => /không phải một ngày/.test(t), 'the refusal by the row');
  assert.equal(await entries(), before, 'nothing saved');
  // Yesterday, typed day first: saved under that day, the area named in the latest entries.
  const yesterday = new Date(Date.now() - 86_400_000);
  const typed = `${yesterday.getDate()}/${yesterday.getMonth() + 1}/${yesterday.getFullYear()}`;
  await day.fill(typed);
  await day.blur();
  assert.equal(await page.locator('#date-error').innerText(), '');
  await money.getByRole('button', { name: 'Lưu' }).click();
  await eventually(() => money.getByTestId('row-saved').innerText(), (t) => t.startsWith('Đã lưu: 20 đồng'), 'saved');
  const shown = `${String(yesterday.getDate()).padStart(2, '0')}/${String(yesterday.getMonth() + 1).padStart(2, '0')}/${yesterday.getFullYear()}`;
  const latest = await page.getByTestId('recent-entries').locator('li').first().innerText();
  assert.match(latest, new RegExp(`^${shown} · Tổ 13\\n20 đồng — Tiền nhân dân đóng góp`));
  assert.deepEqual(phone.errors, []);
  await phone.context.close();
});
