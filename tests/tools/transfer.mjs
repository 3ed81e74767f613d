// The app's loads as a real browser transfers them (Chromium's `encodedDataLength`:
// compressed bodies and headers, every request), from the real local server:
//   1. a new phone opens the app: everything until the join screen can be used;
//   2. an enrolled volunteer opens it with an empty HTTP cache: everything until the
//      entry screen shows its area's figures (the API's answers included);
//   3. an officer's screens, loaded on demand (`officer.html`);
//   4. what the service worker installs in the background once a page has loaded: every
//      file of the app, officers' pages included (Resource Timing inside the worker);
//   5. an enrolled volunteer opening the app again: the pages from the service worker,
//      only the API's answers over the network.
// Loads 1–3 bypass the service worker and the HTTP cache: a browser that holds nothing.
// Usage (as `cargo xtask bench` runs it): SOTAY_SERVER=… SOTAY_DIST=dist node tests/tools/transfer.mjs
import { startServer, launchBrowser, Phone } from '../e2e/support.mjs';

const server = await startServer();
const browser = await launchBrowser();

/** Runs `load` in `page` and returns what it transferred, by path. */
async function transferred(page, load, { fresh = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: fresh });
  await cdp.send('Network.setBypassServiceWorker', { bypass: fresh });
  const paths = new Map();
  const bytes = new Map();
  const bodies = new Map();
  cdp.on('Network.requestWillBeSent', (e) => paths.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.responseReceived', (e) => {
    const length = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-length');
    bodies.set(e.requestId, Number(length?.[1] ?? 0));
  });
  // A page that leaves at once (`/` for a new phone) may end before its load is
  // reported finished: then what arrived of it counts.
  const arrived = new Map();
  cdp.on('Network.dataReceived', (e) => arrived.set(e.requestId, (arrived.get(e.requestId) ?? 0) + e.encodedDataLength));
  cdp.on('Network.responseReceived', (e) => arrived.set(e.requestId, (arrived.get(e.requestId) ?? 0) + e.response.encodedDataLength));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await load();
  for (const [id, n] of arrived) if (!bytes.has(id)) bytes.set(id, n);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.setBypassServiceWorker', { bypass: false });
  const rows = [...bytes].filter(([, n]) => n > 0).map(([id, n]) => [paths.get(id) ?? '?', n, bodies.get(id) ?? 0]);
  return { rows, total: rows.reduce((sum, [, n]) => sum + n, 0), body: rows.reduce((sum, [, , b]) => sum + b, 0) };
}

function report(title, { rows, total, body }) {
  console.log(`\n${title}\n  transferred  body  path`);
  for (const [path, n, b] of rows) console.log(`  ${String(n).padStart(8)}  ${String(b).padStart(8)}  ${path}`);
  console.log(`  ${String(total).padStart(8)}  ${String(body).padStart(8)}  total: ${total} bytes as transferred, `
    + `${total - body} of them HTTP headers`);
}

try {
  const phone = await Phone.open(browser, server, 'Đo', 'about:blank');
  report('1. a new phone, until the join screen', await transferred(phone.page, async () => {
    await phone.page.goto(server.url);
    await phone.page.getByLabel('Mã tham gia').waitFor();
  }));
  // The worker the join page registered, once it has installed the app.
  await phone.page.evaluate(() => navigator.serviceWorker.ready);
  const [worker] = phone.context.serviceWorkers();
  const installed = await worker.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => [new URL(e.name).pathname, e.transferSize, e.encodedBodySize]));
  report('4. what the service worker installs, in the background', {
    rows: installed,
    total: installed.reduce((sum, [, n]) => sum + n, 0),
    body: installed.reduce((sum, [, , b]) => sum + b, 0),
  });
  await phone.enrolIn('Tổ 11');
  // One tab of the app writes at a time: the next opens once this one is closed.
  await phone.page.close();
  const again = await phone.openTab('Đo lại');
  await again.page.goto('about:blank');
  report('2. an enrolled volunteer, empty cache, until its entry screen shows', await transferred(again.page, async () => {
    await again.page.goto(server.url);
    await again.waitForStatus(/Đã đồng bộ lúc/);
    await again.entryShown();
  }));
  await again.page.goto('about:blank');
  report('5. an enrolled volunteer opening the app again, until its entry screen shows', await transferred(again.page, async () => {
    await again.page.goto(server.url);
    await again.waitForStatus(/Đã đồng bộ lúc/);
    await again.entryShown();
  }, { fresh: false }));
  const officer = await Phone.open(browser, server, 'Cán bộ đo', 'about:blank');
  await officer.page.goto(server.url);
  await officer.join(await server.issueCode('ward_officer', 'Phường Nguyễn Thị Minh Khai'), 'Cán bộ');
  await officer.page.waitForURL(/officer/);
  await officer.page.getByTestId('ward-table').waitFor();
  await officer.page.goto('about:blank');
  report('3. an officer, empty cache, until the ward table shows', await transferred(officer.page, async () => {
    await officer.page.goto(new URL('officer.html', server.url).href);
    await officer.page.getByTestId('ward-table').waitFor();
  }));
} finally {
  await browser.close();
  await server.stop();
}
