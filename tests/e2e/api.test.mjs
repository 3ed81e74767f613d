// The API over HTTP on the real local server: bad input gets a 4xx with a stable code
// and a Vietnamese message, and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const cell = (over = {}) => ({ area: 'dx-to-8a', indicator: 'dat_hien', month: '2025-11', inc: 100, dec: 0, ...over });
const body = (counters, device = 'phone-http') => JSON.stringify({ protocol: 1, device, counters });

async function post(text, headers = { 'content-type': 'application/json' }) {
  const response = await fetch(new URL('api/v1/sync', server.url), { method: 'POST', headers, body: text });
  return { status: response.status, json: await response.json() };
}

/** GETs JSON; a GET is safe to repeat, so a connection the server closed after refusing
 * an oversized body (keep-alive reuse) is retried once on a new one. */
async function getJson(path) {
  const url = new URL(path, server.url);
  const response = await fetch(url).catch(() => fetch(url));
  return response.json();
}

async function wardTotal() {
  return (await getJson('api/v1/units/p-duc-xuan/report?period=2025')).unit.figures.dat_hien.counter.total;
}

test('a sync is stored once however often it is sent', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await post(body([cell()]))).status, 200);
  assert.equal(await wardTotal(), 100);
});

test('bad input is refused with a code and a Vietnamese message, and changes nothing', async () => {
  const cases = [
    ['{"protocol":1,', 400, 'malformed_json'],
    [body([cell({ indicator: 'khong_co' })]), 422, 'unknown_indicator'],
    [body([cell({ area: 'p-duc-xuan' })]), 422, 'not_an_area'],
    [body([cell({ indicator: 'so_ho' })]), 422, 'wrong_kind'],
    [body([cell({ inc: 1, dec: 5 })], 'phone-other'), 422, 'negative_total'],
    [body([cell({ month: '2025-13' })]), 422, 'invalid_period'],
    [JSON.stringify({ protocol: 1, device: 'x', counters: [], pad: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large'],
  ];
  for (const [text, status, code] of cases) {
    const answer = await post(text);
    assert.equal(answer.status, status, code);
    assert.equal(answer.json.code, code);
    assert.match(answer.json.message, /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i, `${code}: Vietnamese message`);
  }
  assert.equal(await wardTotal(), 100);
});

test('the OpenAPI document is served', async () => {
  const doc = await getJson('api/openapi.json');
  assert.ok(doc.paths['/api/v1/sync']);
  assert.ok(doc.components.schemas.ErrorCode.enum.includes('negative_total'));
});
