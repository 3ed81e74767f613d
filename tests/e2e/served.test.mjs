// How the local server sends the app: every file the volunteer's page loads comes
// precompressed (brotli to a browser that takes it, gzip to one that takes only that),
// with its right type and `Vary: Accept-Encoding`, kept for good when its name carries its
// hash; the API's answers compressed as they go and never kept; each page loads only
// its own WASM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBoth, stopBoth, eventually } from './support.mjs';

let server, browser;
before(async () => ({ server, browser } = await startBoth()));
after(() => stopBoth({ server, browser }));

test('the browser receives the app compressed, with its types', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const seen = new Map();
  page.on('response', async (r) => {
    if (!r.url().includes('/api/')) seen.set(new URL(r.url()).pathname, await r.allHeaders());
  });
  await page.goto(server.url);
  await page.getByLabel('Mã tham gia').waitFor();
  const files = [...seen.keys()];
  for (const [ext, type] of [['wasm', 'application/wasm'], ['js', 'javascript'], ['css', 'text/css']]) {
    const path = files.find((f) => f.endsWith(`.${ext}`));
    assert.ok(path, `the page loaded a .${ext}: ${files}`);
    const headers = seen.get(path);
    assert.equal(headers['content-encoding'], 'br', path);
    assert.match(headers['content-type'], new RegExp(type), path);
    assert.match(headers.vary ?? '', /accept-encoding/i, path);
  }
  assert.equal(seen.get('/')['content-encoding'], 'br', 'the page itself');
  // Files named by their content's hash are kept for good; the pages are asked for again.
  for (const path of files.filter((f) => /-[0-9a-f]{16}\.(wasm|js|css)$/.test(f))) {
    assert.equal(seen.get(path)['cache-control'], 'public, max-age=31536000, immutable', path);
  }
  assert.ok(files.filter((f) => f.endsWith('.wasm')).length > 0);
  for (const page of ['/', '/tham-gia.html']) assert.equal(seen.get(page)['cache-control'], 'no-cache', page);
  const gone = await fetch(new URL('/app-0123456789abcdef.wasm', server.url));
  assert.equal(gone.headers.get('cache-control'), 'no-cache', 'a file no build made is never kept');
  // A client that takes only gzip gets gzip.
  const wasm = files.find((f) => f.endsWith('.wasm'));
  const gz = await fetch(new URL(wasm, server.url), { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  // The API's answers are compressed as they go; a small one is not worth it.
  const description = await fetch(new URL('/api/openapi.json', server.url), { headers: { 'accept-encoding': 'br' } });
  assert.equal(description.headers.get('content-encoding'), 'br');
  assert.ok((await description.json()).paths, 'the answer reads back');
  const health = await fetch(new URL('/api/v1/health', server.url), { headers: { 'accept-encoding': 'br' } });
  assert.equal(health.headers.get('content-encoding'), null, 'a few bytes go as they are');
  assert.equal(health.headers.get('cache-control'), 'no-store', 'no API answer is kept');
  await context.close();
});

/** The WASM files (by entry: `app`, `join`, `ward`, …) a page fetched while `load` ran. */
async function wasmFetched(page, load) {
  const entries = [];
  const seen = (r) => {
    const m = /\/([a-z]+)-[0-9a-f]+\.wasm$/.exec(new URL(r.url()).pathname);
    if (m) entries.push(m[1]);
  };
  page.on('request', seen);
  await load();
  page.off('request', seen);
  return entries;
}

test('each page loads only its own WASM: a join link never fetches the entry screen', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  // A new phone opens a QR code's link to `/`: the join page, with the code in the field.
  const code = await server.issueCode('volunteer', 'Tổ 13');
  assert.deepEqual(await wasmFetched(page, async () => {
    await page.goto(`${server.url}#join=${code}`);
    await page.getByLabel('Mã tham gia').waitFor();
  }), ['join']);
  assert.equal(new URL(page.url()).pathname, '/tham-gia.html');
  assert.equal(await page.getByLabel('Mã tham gia').inputValue(), code);
  // Joined, the first-time help (no WASM), then the entry screen; the ward's figures are
  // a page of their own.
  await page.getByLabel('Tên thiết bị').fill('Tổ 13');
  assert.deepEqual(await wasmFetched(page, async () => {
    await page.getByRole('button', { name: 'Tham gia' }).click();
    await page.waitForURL(/huong-dan/);
    await page.getByRole('heading', { name: 'Cách dùng Sổ tay' }).waitFor();
  }), []);
  // The profile (`GET /me`) is asked by the ward's page, once a day, never by the entry screen.
  const profiles = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/me') profiles.push(new URL(page.url()).pathname); });
  assert.deepEqual(await wasmFetched(page, async () => {
    await page.getByRole('link', { name: 'Bắt đầu nhập số liệu' }).click();
    await page.getByRole('heading', { name: 'Nội dung 3. Môi trường sáng, xanh, sạch, đẹp' }).waitFor();
    await page.getByTestId('sync-state').filter({ hasText: /Đã đồng bộ lúc/ }).waitFor();
  }), ['app']);
  assert.deepEqual(profiles, [], 'the entry screen asks no profile');
  assert.deepEqual(await wasmFetched(page, async () => {
    await page.getByRole('link', { name: /Tổng hợp/ }).click();
    await page.getByTestId('ward-table').waitFor();
  }), ['ward']);
  await eventually(() => profiles, (p) => p.length === 1 && p[0] === '/tong-hop.html', 'the ward page to ask the profile');
  await page.reload();
  await page.getByTestId('ward-table').waitFor();
  assert.equal(profiles.length, 1, 'once a day');
  assert.equal(await page.getByRole('link', { name: /Tổng hợp/ }).getAttribute('aria-current'), 'page');

  // An officer's phone opening `/` goes to its own page without the volunteer's WASM.
  const officer = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const desk = await officer.newPage();
  await desk.goto(server.url);
  await desk.getByLabel('Mã tham gia').fill(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'));
  await desk.getByLabel('Tên thiết bị').fill('Cán bộ');
  await desk.getByRole('button', { name: 'Tham gia' }).click();
  await desk.waitForURL(/officer/);
  await desk.getByTestId('ward-table').waitFor();
  assert.deepEqual(await wasmFetched(desk, async () => {
    await desk.goto(server.url);
    await desk.waitForURL(/officer/);
    await desk.getByTestId('ward-table').waitFor();
  }), ['officer']);
  await officer.close();
  await context.close();
});
