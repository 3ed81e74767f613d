// The API over HTTP on the real local server: bad input gets a 4xx with a stable code
// and a Vietnamese message, and changes nothing; a caller without a valid token is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support.mjs';

let server, phone;
before(async () => {
  server = await startServer();
  phone = await server.enrol('volunteer', 'Tổ 8A', 'Trưởng ban Tổ 8A');
});
after(async () => { await server?.stop(); });

const cell = (over = {}) => ({ area: 'dx-to-8a', indicator: 'dat_hien', month: '2025-11', inc: 100, dec: 0, ...over });
const body = (counters, device = phone.device) => JSON.stringify({ protocol: 1, device, counters });

async function rawPost(text, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL('api/v1/sync', server.url), { method: 'POST', headers, body: text });
  return { status: response.status, json: await response.json() };
}

async function wardTotal() {
  const report = await server.api('GET', 'api/v1/units/p-duc-xuan/report?period=2025', server.admin.token);
  return report.unit.figures.dat_hien.counter.total;
}

test('a sync is stored once however often it is sent', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await rawPost(body([cell()]), phone.token)).status, 200);
  assert.equal(await wardTotal(), 100);
});

test('bad input and unknown callers are refused with a code and a Vietnamese message, and change nothing', async () => {
  const cases = [
    ['{"protocol":1,', 400, 'malformed_json'],
    [body([cell({ indicator: 'khong_co' })]), 422, 'unknown_indicator'],
    [body([cell({ area: 'p-duc-xuan' })]), 422, 'not_an_area'],
    [body([cell({ indicator: 'so_ho' })]), 422, 'wrong_kind'],
    [body([cell({ inc: 1, dec: 5 })]), 422, 'negative_total'],
    [body([cell({ month: '2025-13' })]), 422, 'invalid_period'],
    [body([cell({ area: 'ntmk-to-11' })]), 403, 'forbidden'],
    [body([cell()], server.admin.device), 403, 'wrong_device'],
    [body([cell()]), 401, 'unauthenticated', null],
    [body([cell()]), 401, 'invalid_token', `${phone.device}.${'0'.repeat(64)}`],
    [JSON.stringify({ protocol: 1, device: 'x', counters: [], pad: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large'],
  ];
  for (const [text, status, code, token = phone.token] of cases) {
    const answer = await rawPost(text, token).catch(() => rawPost(text, token));
    assert.equal(answer.status, status, code);
    assert.equal(answer.json.code, code);
    assert.match(answer.json.message, /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i, `${code}: Vietnamese message`);
  }
  assert.equal(await wardTotal(), 100);
});

test('the OpenAPI document is served with its security scheme', async () => {
  const doc = await (await fetch(new URL('api/openapi.json', server.url))).json();
  assert.ok(doc.paths['/api/v1/sync']);
  assert.ok(doc.paths['/api/v1/join']);
  assert.equal(doc.components.securitySchemes.device_token.scheme, 'bearer');
  assert.ok(doc.components.schemas.ErrorCode.enum.includes('device_revoked'));
});
