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
