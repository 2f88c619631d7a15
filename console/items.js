// Finding the service item the caller asked for: by code, by name, by pinyin (initials "zy" or
// full "zhuyu", via the vendored pinyin-match), and by the six short names people use for the
// home-care services (六助: 助餐 助洁 助浴 助医 助行 助急). Ranked: the item's own name matched
// whole, then a short name matched whole, then the item's name matched from its start, then
// matched inside it (or a short name begun); equal matches by how often the item was ordered in
// the last 30 days, then by code. Pure: no DOM, so it is unit-tested with node.

// Which items each short name stands for. The district's catalog names its items in full
// (居室清洁, 陪同就医); these are the words a caller says instead.
export const SHORT_NAMES = [
  { name: '助餐', covers: (it) => it.meal },
  { name: '助洁', covers: (it) => /清洁|保洁|擦洗|清洗|洗衣|手洗|拆洗|整理|打扫/.test(it.name) },
  { name: '助浴', covers: (it) => /浴/.test(it.name) },
  { name: '助医', covers: (it) => it.category === 'medical_care' || /就医|药/.test(it.name) },
  { name: '助行', covers: (it) => /陪同|散步|移位|出行|轮椅|助行/.test(it.name) },
  { name: '助急', covers: (it) => it.category === 'emergency_aid' },
];

const EXACT = 0;
const SHORT_EXACT = 1;
const PREFIX = 2;
const INSIDE = 3;

// "助浴(上门)" → "助浴": what is said, without the qualifier in brackets.
export const baseName = (name) => name.replace(/\s*[(（].*$/, '');

// How `kw` (trimmed, lower case) matches `text`: 'whole', 'start', 'inside' or null.
function how(text, kw, pinyin) {
  if (text === kw) return 'whole';
  if (text.startsWith(kw)) return 'start';
  if (text.includes(kw)) return 'inside';
  const m = pinyin ? pinyin(text, kw) : false;
  if (!m) return null;
  if (m[0] === 0 && m[1] === text.length - 1) return 'whole';
  return m[0] === 0 ? 'start' : 'inside';
}

// The tier of one item for `kw`, or null when it does not match.
export function tier(it, kw, pinyin) {
  const code = it.code.toLowerCase();
  if (code === kw) return EXACT;
  const base = how(baseName(it.name), kw, pinyin);
  if (base === 'whole') return EXACT;
  let best = null;
  const better = (t) => { if (best === null || t < best) best = t; };
  for (const s of SHORT_NAMES) {
    if (!s.covers(it)) continue;
    const m = how(s.name, kw, pinyin);
    if (m === 'whole') better(SHORT_EXACT);
    else if (m === 'start') better(INSIDE);
  }
  if (code.startsWith(kw) || base === 'start') better(PREFIX);
  const full = how(it.name, kw, pinyin);
  if (full === 'start') better(PREFIX);
  else if (full || base) better(INSIDE);
  return best;
}

// The items matching `query`, best first, at most `limit`.
export function searchItems(items, query, pinyin, limit = 12) {
  const kw = String(query || '').trim().toLowerCase();
  if (!kw) return [];
  const scored = [];
  for (const it of items) {
    const t = tier(it, kw, pinyin);
    if (t !== null) scored.push([t, it]);
  }
  scored.sort(([ta, a], [tb, b]) => ta - tb || (b.orders_30d || 0) - (a.orders_30d || 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return scored.slice(0, limit).map(([, it]) => it);
}
