// Unit tests of the console's item search (console/items.js) on the real default catalog with
// the vendored pinyin-match: what a caller says finds the item an operator means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { searchItems, baseName } from '../../console/items.js';

const require = createRequire(import.meta.url);
const PinyinMatch = require('../../console/vendor/pinyin-match.js');
const pinyin = (text, kw) => PinyinMatch.match(text, kw);

// data/catalog.csv as the API gives it, with how often each item was ordered.
const [head, ...lines] = readFileSync(new URL('../../data/catalog.csv', import.meta.url), 'utf8').trim().split(/\r?\n/);
const cols = head.split(',');
const orders = { LC001: 900, LC021: 400, LC016: 300, LC006: 120, LC005: 80, LC039: 60, MC001: 500, MC002: 70 };
const catalog = lines.map((l) => {
  const v = Object.fromEntries(l.split(',').map((x, i) => [cols[i], x]));
  return { ...v, meal: v.meal === '1', orders_30d: orders[v.code] || 0 };
});
const codes = (q, n = 3) => searchItems(catalog, q, pinyin).slice(0, n).map((i) => i.code);
const names = (q, n = 3) => searchItems(catalog, q, pinyin).slice(0, n).map((i) => i.name);

test('zy + Enter gives 助浴: the item whose own name is the whole match comes first', () => {
  const first = searchItems(catalog, 'zy', pinyin)[0];
  assert.equal(baseName(first.name), '助浴');
  assert.equal(first.code, 'LC006');  // of the two 助浴, the one ordered more
  // 床上擦浴 is ordered more than either but is a 助浴 only by its short name; zy is also 助医.
  assert.deepEqual(codes('zy', 3), ['LC006', 'LC005', 'MC001']);
  assert.ok(codes('zy', 12).includes('LC016'));
  assert.deepEqual(codes('zhuyu', 2), ['LC006', 'LC005']);
  assert.deepEqual(codes('助浴', 2), ['LC006', 'LC005']);
});

test('the six short names find the services they stand for', () => {
  assert.equal(codes('助餐', 1)[0], 'LC001');
  assert.ok(searchItems(catalog, '助餐', pinyin).slice(0, 4).every((i) => i.meal));
  assert.equal(codes('zc', 1)[0], 'LC001');
  assert.equal(codes('助洁', 1)[0], 'LC021');  // 居室清洁(一般), the most ordered cleaning
  assert.equal(codes('zj', 1)[0], 'LC021');
  assert.equal(codes('zhujie', 1)[0], 'LC021');
  assert.equal(codes('助医', 1)[0], 'MC001');
  assert.ok(codes('助医', 12).includes('LC039'));  // 陪同就医
  assert.ok(searchItems(catalog, '助急', pinyin).length > 0);
  assert.ok(searchItems(catalog, '助急', pinyin).every((i) => i.category === 'emergency_aid'));
  assert.ok(codes('助行', 12).includes('LC020'));  // 陪同散步
});

test('a code, an exact name and a prefix outrank what is only inside a name; then frequency', () => {
  assert.equal(codes('lc039', 1)[0], 'LC039');
  assert.equal(codes('LC039', 1)[0], 'LC039');
  assert.deepEqual(names('测量', 2), ['测量血压', '测量血糖']);  // both prefix; by orders
  assert.equal(names('测量血压', 1)[0], '测量血压');
  assert.equal(names('clxy', 1)[0], '测量血压');
  // "xueya" begins 血氧监测 and is inside 测量血压: both found, the beginning first.
  assert.deepEqual(names('xueya', 2), ['血氧监测', '测量血压']);
  assert.deepEqual(searchItems(catalog, '   ', pinyin), []);
  assert.deepEqual(searchItems(catalog, 'qqqqqq', pinyin), []);
  assert.equal(searchItems(catalog, 'l', pinyin).length, 12);
});
