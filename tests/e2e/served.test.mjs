// How the local server sends the app: every file the volunteer's page loads comes
// precompressed (brotli to a browser that takes it, gzip to one that takes only that),
// with its right type and `Vary: Accept-Encoding`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './support.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

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
  // A client that takes only gzip gets gzip.
  const wasm = files.find((f) => f.endsWith('.wasm'));
  const gz = await fetch(new URL(wasm, server.url), { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  await context.close();
});
