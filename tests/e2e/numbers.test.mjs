// Wrong figures are never saved: a decimal or a misplaced separator typed into an
// amount is refused under the field and nothing reaches browser storage; a thousands
// dot is read as one; a correction larger than what the phone entered says how much can
// still be taken off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startBoth, stopBoth, Phone, eventually, SHOTS } from './support.mjs';

const ROAD = 'duong_lam_moi';
const ROAD_LABEL = 'Đường, ngõ làm mới, nâng cấp';
let server, browser;

before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

/** Types `amount` into the open form of `row` and presses "Lưu". */
async function typeAndSave(row, amount) {
  await row.getByLabel(/Số lượng/).fill(amount);
  await row.getByRole('button', { name: 'Lưu' }).click();
}

/** The entries of the ledger in browser storage. */
async function storedEntries(phone) {
  return JSON.parse(await phone.storedLedger()).entries;
}

test('a decimal or a misplaced separator is refused under the field and nothing is saved', async () => {
  const phone = await Phone.open(browser, server, 'N');
  await phone.enrolIn('Tổ 11');
  const row = await phone.reveal(ROAD);
  await row.getByRole('button', { name: 'Nhập' }).click();
  assert.match(await row.getByText(/Số nguyên, tách hàng nghìn bằng dấu chấm: 12\.500\.000\./).innerText(),
    /Sửa số đã nhập nhầm bằng một số âm \(ví dụ -20\): bấm −\/\+/, 'the hint says how to type numbers');

  for (const [typed, said] of [
    ['10.5', /^"10\.5" không phải số nguyên: dấu chấm chỉ dùng để tách hàng nghìn \(ví dụ 1\.000 hoặc 12\.500\.000\)\. Số lẻ không nhập được/],
    ['2,5', /^"2,5" không phải số nguyên: dấu phẩy là dấu thập phân/],
    ['1.00', /^"1\.00" không phải số nguyên/],
  ]) {
    await typeAndSave(row, typed);
    const alert = row.getByRole('alert');
    await eventually(() => alert.innerText(), (t) => said.test(t), `the refusal of ${typed}`);
    assert.equal(await row.getByLabel(/Số lượng/).getAttribute('aria-invalid'), 'true');
    assert.equal(await row.getByLabel(/Số lượng/).inputValue(), typed, 'what was typed stays to be corrected');
    assert.equal(await phone.saveMessage(), '', `no "saved" message for ${typed}`);
    assert.deepEqual(await storedEntries(phone), [], `${typed} reached browser storage`);
    assert.equal(await row.getByText(/Máy này đã nhập/).count(), 0);
    assert.equal(await phone.areaValue(ROAD), '0 m');
    if (typed === '10.5') {
      // The refusal sits right under the field it is about, above the note.
      const field = await row.getByLabel(/Số lượng/).boundingBox();
      const note = await row.getByLabel(/Ghi chú/).boundingBox();
      const box = await alert.boundingBox();
      assert.ok(box.y >= field.y + field.height && box.y + box.height <= note.y, 'the refusal is under the field');
      await phone.screenshot(`${SHOTS}numbers-refused.png`);
    }
  }

  // A thousands dot is read as one: 1.000 m, not 1 m.
  await typeAndSave(row, '1.000');
  await eventually(() => phone.saveMessage(), (t) => t.startsWith('Đã lưu: 1.000 m — '), 'the saved message');
  assert.equal(await row.getByText(/Máy này đã nhập/).innerText(), 'Máy này đã nhập: 1.000 m');
  assert.equal(await phone.areaValue(ROAD), '1.000 m');
  assert.deepEqual((await storedEntries(phone)).map((e) => e.change), [{ amount: 1000 }]);
  assert.deepEqual(phone.errors, []);
});

test('a correction larger than what was entered says how much can still be taken off', async () => {
  const phone = await Phone.open(browser, server, 'P');
  await phone.enrolIn('Tổ 13');
  await phone.enter(ROAD, '1.000');
  const row = await phone.reveal(ROAD);
  await row.getByRole('button', { name: 'Nhập' }).click();
  await typeAndSave(row, '-1.200');
  const said = await eventually(() => row.getByRole('alert').innerText(), (t) => t !== '', 'the refusal');
  assert.match(said, new RegExp(
    `^Số điều chỉnh \\(-1\\.200 m\\) lớn hơn số máy này đã nhập cho "${ROAD_LABEL}" trong tháng \\d{1,2}/\\d{4}: ` +
    'chỉ có thể bớt tối đa 1\\.000 m\\.$'));
  assert.ok(!said.includes(ROAD), 'the message names the indicator, not its id');
  assert.equal((await storedEntries(phone)).length, 1, 'the refused correction is not saved');
  assert.equal(await phone.areaValue(ROAD), '1.000 m');
  await phone.screenshot(`${SHOTS}numbers-correction.png`);

  // What the message allows is accepted.
  await typeAndSave(row, '-1.000');
  await eventually(() => phone.saveMessage(), (t) => t.startsWith('Đã lưu: -1.000 m'), 'the saved message');
  assert.equal(await phone.areaValue(ROAD), '0 m');
  assert.deepEqual(phone.errors, []);
});
