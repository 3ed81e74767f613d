// How many entries a phone's browser storage holds. The app keeps its whole ledger as one
// JSON text under the localStorage key `sotay.v1.ledger`, and Chromium limits each origin's
// localStorage. In Debian's Chromium, a profile kept on disk, from the real local server:
//   1. the quota itself: the longest text one key takes, of Latin-1 characters and of
//      characters beyond (Vietnamese), to see how Chromium counts them;
//   2. by bisection, the most entries a ledger of an enrolled volunteer may hold, written
//      as the app stores it (as `tests/e2e/sync_edges.test.mjs` does): counter entries
//      over three years up to today, a third with a note of ≈ 30 characters (Vietnamese),
//      one in twenty a correction; and the same without any note;
//   3. the app opened on ledgers of 10.000 and 20.000 entries, of 36.500 (a busy area:
//      ≈ 33 a day for three years) and near the limit (the last also with the CPU slowed
//      4×): whether the entry screen opens, how long until it shows (from
//      navigation start), and `performance.measure('sotay:save')` of 3 entries typed in;
//   4. storage full (the ledger at the limit, the rest of the quota taken by another key):
//      the message one more entry gets, and whether the ledger stayed as it was.
// The API is cut once the phone has enrolled: nothing but these writes touches storage.
// A measurement, not a test. Usage: SOTAY_SERVER=… SOTAY_DIST=dist node tests/tools/capacity.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchProfile, Phone, eventually } from '../e2e/support.mjs';
import { watchScreen } from './screen.mjs';

const LEDGER = 'sotay.v1.ledger';
const BUSY = 36_500;

/** The largest n in [lo, …) for which `fits(n)`, `fits(lo)` being true. */
async function largest(fits, lo) {
  let hi = Math.max(1, lo * 2);
  while (await fits(hi)) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await fits(mid)) lo = mid; else hi = mid;
  }
  return lo;
}

/** In the page: stores under `key` a ledger of `n` entries built on the enrolled one, or a
 * filler text of `filler` characters; true if `setItem` took it, else the error's name. */
function store({ key, n, notes, area, filler }) {
  const text = filler !== undefined ? 'x'.repeat(filler) : (() => {
    const COUNTERS = ['so_ho_thoat_ngheo', 'nha_ddk_xay_moi', 'nha_ddk_sua_chua', 'quy_vi_nguoi_ngheo',
      'quy_den_on_dap_nghia', 'quy_khuyen_hoc', 'cong_trinh_van_hoa', 'dat_hien', 'duong_lam_moi', 'ngay_cong',
      'tien_dan_gop', 'buoi_tuyen_truyen', 'luot_ho_tham_gia', 'camera_an_ninh', 'vu_hoa_giai', 'vu_hoa_giai_thanh',
      'cuoc_giam_sat', 'kien_nghi'];
    const MONEY = /^(quy_|tien_)/;
    const NOTES = ['Hộ ông Nguyễn Văn Ba đóng góp', 'Bà Trần Thị Hoa ủng hộ quỹ', 'Họp tổ dân phố tháng này',
      'Hiến đất mở rộng ngõ số 12', 'Đợt vận động cuối năm của tổ', 'Theo sổ ghi của chi hội'];
    const DAY = 24 * 3600 * 1000;
    const start = Math.floor(Date.now() / DAY) * DAY - 1095 * DAY;
    let seed = 7;
    const rand = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor(seed / 65536) % k; };
    const ledger = JSON.parse(localStorage.getItem(LEDGER_KEY));
    const counters = {};
    ledger.entries = Array.from({ length: n }, (_, i) => {
      const day = start + Math.floor((i * 1096) / n) * DAY;
      const date = new Date(day).toISOString().slice(0, 10);
      const indicator = COUNTERS[rand(COUNTERS.length)];
      const correction = rand(20) === 0;
      const size = MONEY.test(indicator) ? 100_000 * (1 + rand(50)) : 1 + rand(40);
      const amount = correction ? -Math.ceil(size / 10) : size;
      const cell = (counters[`${area}/${indicator}/${date.slice(0, 7)}`] ??= { inc: 0, dec: 0 });
      if (amount > 0) cell.inc += amount; else cell.dec -= amount;
      const note = correction ? 'Nhập nhầm, sửa lại số đã ghi' : rand(3) === 0 ? NOTES[rand(NOTES.length)] : '';
      const entry = { seq: i + 1, area, indicator, date, change: { amount } };
      if (notes && note) entry.note = note;
      entry.recorded_ms = day + 7 * 3600 * 1000 + rand(12 * 3600) * 1000;
      return entry;
    });
    // A phone that synced all of it.
    ledger.counters = counters;
    ledger.acked_counters = structuredClone(counters);
    return JSON.stringify(ledger);
  })();
  try {
    localStorage.setItem(key, text);
    return true;
  } catch (e) {
    return e.name;
  }
}

const server = await startServer();
const dir = mkdtempSync(join(tmpdir(), 'sotay-capacity-'));
const context = await launchProfile(dir);
try {
  const page = context.pages()[0] ?? await context.newPage();
  const run = (args) => page.evaluate(`(${store.toString().replace('LEDGER_KEY', JSON.stringify(LEDGER))})(${JSON.stringify(args)})`);

  // 1. The quota, on the origin's empty storage (a page of the origin, not the app).
  await page.goto(new URL('manifest.webmanifest', server.url).href);
  const probe = (char) => async (n) => (await page.evaluate(([c, n]) => {
    try { localStorage.setItem('q', c.repeat(n)); return true; } catch { return false; } finally { localStorage.removeItem('q'); }
  }, [char, n])) === true;
  const latin1 = await largest(probe('x'), 1024);
  const utf16 = await largest(probe('ộ'), 1024);
  console.log(`\n1. Chromium's localStorage quota (one key "q"): ${latin1} characters of Latin-1 (${(latin1 / 1048576).toFixed(3)} MiB), `
    + `${utf16} of UTF-16 (×2 = ${(utf16 * 2 / 1048576).toFixed(3)} MiB)`);

  // 2. The most entries, in an enrolled volunteer's storage.
  const phone = await Phone.inContext(context, server, 'Sức chứa');
  await phone.enrolIn('Tổ 11');
  await phone.cutNetwork();
  const area = server.unitId('Tổ 11');
  const others = await page.evaluate((key) => Object.keys(localStorage).filter((k) => k !== key)
    .map((k) => `${k} ${localStorage.getItem(k).length}`), LEDGER);
  console.log(`\n2. the most entries in the ledger (the origin's other keys: ${others.join(', ')} characters)`);
  const most = {};
  for (const notes of [true, false]) {
    const fits = async (n) => (await run({ key: LEDGER, n, notes, area })) === true;
    const n = await largest(fits, 1000);
    await run({ key: LEDGER, n, notes, area });
    const text = await phone.storedLedger();
    // Counted by the quota at 2 bytes a character (1 above).
    console.log(`  ${notes ? 'a third with a Vietnamese note' : 'no note at all'}: ${n} entries; `
      + `${text.length} characters = ${text.length * 2} bytes of quota; `
      + `${(text.length / n).toFixed(1)} characters, ${(text.length * 2 / n).toFixed(1)} bytes an entry`);
    most[notes] = n;
  }

  // 3. The app on a big ledger, and one entry typed in.
  await context.addInitScript(watchScreen);
  let amount = 30;
  const entryOnce = async () => {
    const row = await phone.reveal('dat_hien');
    const before = await phone.saveMessage();
    await page.evaluate(() => performance.clearMeasures('sotay:save'));
    await row.getByRole('button', { name: 'Nhập' }).click();
    await row.getByLabel(/Số lượng/).fill(String(amount += 1));
    await row.getByLabel(/Ghi chú/).fill('Hộ bà Lê Thị Tư hiến thêm đất');
    await row.getByRole('button', { name: 'Lưu' }).click();
    const alert = row.getByRole('alert');
    const said = await eventually(async () => [await phone.saveMessage(), (await alert.count()) ? await alert.first().innerText() : ''],
      ([saved, refused]) => (saved.startsWith('Đã lưu') && saved !== before) || refused.trim() !== '', 'saved or refused', 60_000);
    const measure = await page.evaluate(() => performance.getEntriesByName('sotay:save', 'measure').map((e) => e.duration));
    return { saved: said[0] !== before ? said[0] : '', refused: said[1].trim(), measure };
  };
  const openAt = async (n, rate = 1) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    if ((await run({ key: LEDGER, n, notes: true, area })) !== true) return console.log(`  ${n} entries: does not fit`);
    await page.reload();
    const opened = await page.waitForFunction(() => window.sotayScreenShown !== undefined, null, { timeout: 120_000 })
      .then(() => true, () => false);
    const shown = await page.evaluate(() => window.sotayScreenShown);
    const status = await phone.status().catch(() => '?');
    const saves = [];
    for (let i = 0; opened && i < 3; i += 1) saves.push(await entryOnce());
    const entries = JSON.parse(await phone.storedLedger()).entries.length;
    console.log(`  ${n} entries: ${opened ? `the entry screen shows at ${shown.toFixed(0)} ms (bar: "${status}")` : 'the entry screen did not open'}; `
      + `3 entries, sotay:save ${saves.map((s) => (s.saved ? `${s.measure[0].toFixed(1)} ms` : `refused: "${s.refused}"`)).join(', ')}; `
      + `the ledger holds ${entries}${rate > 1 ? ` (CPU ${rate}× slower)` : ''}`);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  };
  console.log('\n3. the app on a big ledger (a third with notes)');
  for (const n of [10_000, 20_000, BUSY, most[true] - 50]) await openAt(n);
  await openAt(most[true] - 50, 4);

  // 4. Full: the ledger at the limit, the rest taken by another key.
  await run({ key: LEDGER, n: most[true], notes: true, area });
  const filler = await largest(async (n) => (await run({ key: 'sotay.measure.filler', filler: n })) === true, 1);
  await run({ key: 'sotay.measure.filler', filler });
  await page.reload();
  await page.waitForFunction(() => window.sotayScreenShown !== undefined, null, { timeout: 120_000 });
  const { saved, refused } = await entryOnce();
  const entries = JSON.parse(await phone.storedLedger()).entries.length;
  console.log(`\n4. storage full (${most[true]} entries, and ${filler} characters under another key): `
    + `${saved ? `saved?! "${saved}"` : `the entry is refused: "${refused}"`}; the ledger holds ${entries} entries`);
  await phone.screenshot('/tmp/measure/capacity-full.png').catch(() => {});
  if (phone.errors.length) console.log(`  page errors: ${phone.errors.join(' | ')}`);
} finally {
  await context.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
