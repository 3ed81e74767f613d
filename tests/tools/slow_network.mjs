// A new phone on a slow mobile network: the join page opened in a fresh profile with
// DevTools' network throttling as Lighthouse's mobile preset applies it (562,5 ms a
// request, 1,47 Mbit/s down) and the CPU 4× slower, until the join form can be typed in
// (its "Mã tham gia" field shows). SLOW_RUNS (5) runs; min / median / max in ms, from
// navigation start. A measurement, not a test.
// Usage: SOTAY_SERVER=… SOTAY_DIST=dist node tests/tools/slow_network.mjs
import { startServer, launchBrowser } from '../e2e/support.mjs';

const RUNS = Number(process.env.SLOW_RUNS ?? 5);
const server = await startServer();
const browser = await launchBrowser();
try {
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto(new URL('tham-gia.html', server.url).href);
    await page.getByLabel('Mã tham gia').waitFor();
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`join form shown: min ${times[0].toFixed(0)}  median ${times[Math.floor(RUNS / 2)].toFixed(0)}  max ${times.at(-1).toFixed(0)} ms (${RUNS} runs)`);
} finally {
  await browser.close();
  await server.stop();
}
