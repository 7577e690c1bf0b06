// text.mjs - the XState baseline's reading of citizen text: folding for
// matching (case, Devanagari digits, nukta, chandrabindu, zero-width
// characters, trailing punctuation), dates, and the typed-input validators.
// A port of lib/text.c, lib/date.c, lib/validate.c and lib/validate_ids.c
// with the same rules, so both benchmarks do the same work per answer.

const isSpace = (cp) =>
  cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0xa0 || cp === 0x1680 ||
  (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 ||
  cp === 0x202f || cp === 0x205f || cp === 0x3000;
const isInvisible = (cp) =>
  (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff;
const trailingPunct = (cp) =>
  cp === 0x2e || cp === 0x2c || cp === 0x21 || cp === 0x3f || cp === 0x964 || cp === 0x965;
const NUKTA_BASE = [0x915, 0x916, 0x917, 0x91c, 0x921, 0x922, 0x92b, 0x92f];

// Folded form of one code point; 0 drops it.
function foldCp(cp) {
  if (cp >= 0x41 && cp <= 0x5a) return cp + 32;
  if (cp < 0x80) return cp;
  if (cp >= 0x966 && cp <= 0x96f) return 0x30 + (cp - 0x966);
  if (cp === 0x901) return 0x902;
  if (cp === 0x93c || isInvisible(cp)) return 0;
  if (cp >= 0x958 && cp <= 0x95f) return NUKTA_BASE[cp - 0x958];
  return cp;
}

/** The text as compared with command words, option titles and yes/no words. */
export function fold(s) {
  let out = '';
  let committed = 0;
  let space = false;
  for (const ch of s) {
    let cp = ch.codePointAt(0);
    if (isSpace(cp)) {
      space = true;
      continue;
    }
    cp = foldCp(cp);
    if (cp === 0) continue;
    if (space) {
      if (out.length) out += ' ';
      space = false;
    }
    out += cp < 0x10000 ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    if (!trailingPunct(cp)) committed = out.length;
  }
  return committed === out.length ? out : out.slice(0, committed);
}

export const hasDevanagari = (s) => /[\u0900-\u097f]/.test(s);

// ---- Dates: days since 1970-01-01 (UTC calendar) -------------------------

export const daysFromCivil = (y, m, d) => Math.floor(Date.UTC(y, m - 1, d) / 86400000);
export function civil(days) {
  const t = new Date(days * 86400000);
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}
const two = (n) => (n < 10 ? '0' : '') + n;
const four = (n) => String(n).padStart(4, '0');
export function fmtDate(days) {
  const [y, m, d] = civil(days);
  return `${two(d)}/${two(m)}/${four(y)}`;
}
export function isoDate(days) {
  const [y, m, d] = civil(days);
  return `${four(y)}-${two(m)}-${two(d)}`;
}
export const parseIso = (s) => daysFromCivil(+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10));

export function yearsBetween(from, to) {
  if (to < from) return -yearsBetween(to, from);
  const [y1, m1, d1] = civil(from);
  const [y2, m2, d2] = civil(to);
  let years = y2 - y1;
  if (m2 < m1 || (m2 === m1 && d2 < d1)) years--;
  return years;
}

const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DIM = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y, m) => (m === 2 && leap(y) ? 29 : DIM[m - 1]);

const EN_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july',
  'august', 'september', 'october', 'november', 'december'];
// Folded (nukta dropped) Hindi month names with common spelling variants.
const HI_MONTHS = new Map([
  ['जनवरी', 1], ['फरवरी', 2], ['मार्च', 3], ['अप्रैल', 4], ['अप्रेल', 4], ['मई', 5],
  ['जून', 6], ['जुलाई', 7], ['अगस्त', 8], ['सितंबर', 9], ['सितम्बर', 9],
  ['अक्टूबर', 10], ['अक्तूबर', 10], ['नवंबर', 11], ['नवम्बर', 11], ['दिसंबर', 12],
  ['दिसम्बर', 12],
]);

function monthByName(w) {
  if (w.length >= 3 && w.charCodeAt(0) < 0x80) {
    for (let i = 0; i < 12; i++) if (EN_MONTHS[i].startsWith(w)) return i + 1;
    return 0;
  }
  return HI_MONTHS.get(w) || 0;
}

// d/m/yyyy with '/', '-' or '.', ASCII or Devanagari digits; null otherwise.
const QUICK_DATE = /^([0-9०-९]{1,2})([/.-])([0-9०-९]{1,2})\2([0-9०-९]{2}|[0-9०-९]{4})$/;
const asciiDigits = (s) => s.replace(/[०-९]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0x936));

const isWordChar = (c) => (c >= 0x61 && c <= 0x7a) || c >= 0x80;

// Numbers and words of a folded date; null on anything else.
function tokenize(s) {
  const t = [];
  let sep = '';
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === ' ' || ch === ',') {
      if (sep === '' || sep === ' ') sep = ' ';
      i++;
      continue;
    }
    if (ch === '/' || ch === '-' || ch === '.') {
      if (sep !== '' && sep !== ' ') return null;
      sep = ch;
      i++;
      continue;
    }
    const start = i;
    let tok;
    if (c >= 0x30 && c <= 0x39) {
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
        if (i - start >= 4) return null;
        i++;
      }
      tok = { num: +s.slice(start, i), digits: i - start, sep };
    } else if (isWordChar(c)) {
      while (i < s.length && isWordChar(s.charCodeAt(i))) i++;
      const w = s.slice(start, i);
      const n = t.length;
      const ordinal = w.length === 2 && n > 0 && t[n - 1].word === undefined && sep === '' &&
        (w === 'st' || w === 'nd' || w === 'rd' || w === 'th');
      if (ordinal || (w === 'of' && n > 0)) continue;
      tok = { word: w, sep };
    } else {
      return null;
    }
    if (t.length === 4) return null;
    t.push(tok);
    sep = '';
  }
  return sep === '' || sep === ' ' ? t : null;
}

/** Days of a typed date, or 'date_format' / 'date_invalid'. */
export function parseDate(s, today) {
  let d, m, y, ydigits;
  const q = QUICK_DATE.exec(s);
  if (q) {
    d = +asciiDigits(q[1]);
    m = +asciiDigits(q[3]);
    y = +asciiDigits(q[4]);
    ydigits = q[4].length;
  } else {
    const t = tokenize(fold(s));
    if (!t || t.length !== 3) return 'date_format';
    let dt, mt, yt;
    if (t[0].word === undefined && t[1].word === undefined && t[2].word === undefined) {
      if (t[1].sep === ' ' || t[1].sep === '' || t[2].sep !== t[1].sep) return 'date_format';
      if (t[0].digits === 4) [yt, mt, dt] = t;
      else [dt, mt, yt] = t;
      if (mt.digits > 2) return 'date_format';
      m = mt.num;
    } else if (t[0].word === undefined && t[1].word !== undefined && t[2].word === undefined) {
      [dt, , yt] = t;
      if (!(m = monthByName(t[1].word))) return 'date_format';
    } else if (t[0].word !== undefined && t[1].word === undefined && t[2].word === undefined) {
      [, dt, yt] = t;
      if (!(m = monthByName(t[0].word))) return 'date_format';
    } else {
      return 'date_format';
    }
    if (dt.digits > 2 || (yt.digits !== 2 && yt.digits !== 4)) return 'date_format';
    d = dt.num;
    y = yt.num;
    ydigits = yt.digits;
  }
  if (ydigits === 2) {
    y += 2000;
    if (y > civil(today)[0]) y -= 100;
  }
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return 'date_invalid';
  return daysFromCivil(y, m, d);
}

// A spec's date bound: "YYYY-MM-DD", "today", "today+30d", "today-18y".
export function boundDay(b, today) {
  if (b === undefined) return undefined;
  const r = /^today(?:([+-]\d+)([dy]))?$/.exec(b);
  if (!r) return parseIso(b);
  if (!r[1]) return today;
  if (r[2] === 'd') return today + +r[1];
  let [y, m, d] = civil(today);
  y += +r[1];
  if (m === 2 && d === 29 && !leap(y)) d = 28;
  return daysFromCivil(y, m, d);
}

// ---- Typed inputs ---------------------------------------------------------

function trim(s) {
  const cps = [...s];
  let i = 0;
  let e = cps.length;
  const edge = (ch) => {
    const cp = ch.codePointAt(0);
    return isSpace(cp) || isInvisible(cp);
  };
  while (i < e && edge(cps[i])) i++;
  while (e > i && edge(cps[e - 1])) e--;
  return i === 0 && e === cps.length ? s : cps.slice(i, e).join('');
}

const isControl = (cp) => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
  (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);

function checkChars(input, chars) {
  if (input.max > 0 && chars > input.max) return 'too_long';
  if (chars < (input.min || 0)) return 'too_short';
  return null;
}

function vText(input, s) {
  let out = '';
  let chars = 0;
  let space = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (isSpace(cp)) {
      space = true;
      continue;
    }
    if (isControl(cp)) return { reject: 'empty' };
    if (space) {
      out += ' ';
      chars++;
      space = false;
    }
    out += ch;
    chars++;
    if (input.max > 0 && chars > input.max) return { reject: 'too_long' };
  }
  const r = checkChars(input, chars);
  return r ? { reject: r } : { value: out };
}

const isLatinLetter = (cp) => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ||
  (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7);
const isDevaLetter = (cp) => (cp >= 0x904 && cp <= 0x939) || cp === 0x93d ||
  (cp >= 0x958 && cp <= 0x961) || (cp >= 0x972 && cp <= 0x97f);
const isDevaMark = (cp) => (cp >= 0x900 && cp <= 0x903) || cp === 0x93c ||
  (cp >= 0x93e && cp <= 0x94f) || (cp >= 0x955 && cp <= 0x957) ||
  cp === 0x962 || cp === 0x963 || cp === 0x970 || cp === 0x971;

function vName(input, s) {
  let out = '';
  let chars = 0;
  let space = false;
  let letter = false;
  for (let ch of s) {
    const cp = ch.codePointAt(0);
    if (isSpace(cp)) {
      space = true;
      continue;
    }
    if (cp === 0x200b || cp === 0x2060 || cp === 0xfeff) continue;
    if (cp === 0x2019 || cp === 0x2018 || cp === 0x2bc) {
      ch = "'"; // phone keyboards type D’Souza
    } else if (isLatinLetter(cp) || isDevaLetter(cp)) {
      letter = true;
    } else if (!(isDevaMark(cp) || cp === 0x200c || cp === 0x200d ||
                 cp === 0x2e || cp === 0x27 || cp === 0x2d)) {
      return { reject: 'name_chars' };
    }
    if (space) {
      out += ' ';
      chars++;
      space = false;
    }
    out += ch;
    chars++;
  }
  if (!letter) return { reject: 'name_chars' };
  const r = checkChars(input, chars);
  return r ? { reject: r } : { value: out };
}

function vDate(input, s, today, ageRef) {
  const day = parseDate(s, today);
  if (typeof day === 'string') return { reject: day };
  if (input.min !== undefined && day < boundDay(input.min, today)) return { reject: 'date_too_early' };
  if (input.max !== undefined && day > boundDay(input.max, today)) return { reject: 'date_too_late' };
  if (input.min_age !== undefined || input.max_age !== undefined) {
    const age = yearsBetween(day, ageRef);
    if (input.min_age !== undefined && age < input.min_age) return { reject: 'age_too_low' };
    if (input.max_age !== undefined && age > input.max_age) return { reject: 'age_too_high' };
  }
  return { value: isoDate(day) };
}

// The digits of s (ASCII or Devanagari), skipping spaces and the given
// separators; null on anything else or more than max digits.
function collectDigits(s, skip, max) {
  let d = '';
  let plus = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (cp >= 0x30 && cp <= 0x39) d += ch;
    else if (cp >= 0x966 && cp <= 0x96f) d += String.fromCharCode(cp - 0x936);
    else if (cp === 0x2b && d.length === 0 && !plus) { plus = true; continue; }
    else if (isSpace(cp) || (cp < 0x80 && skip.includes(ch))) continue;
    else return null;
    if (d.length > max) return null;
  }
  return { d, plus };
}

const VD = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]];
const VP = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]];

export function verhoeffValid(digits) {
  let c = 0;
  for (let k = 0; k < digits.length; k++)
    c = VD[c][VP[k % 8][digits.charCodeAt(digits.length - 1 - k) - 48]];
  return c === 0;
}

function vAadhaar(s) {
  const r = collectDigits(s, '-:.', 12);
  if (!r || r.d.length !== 12 || r.plus || r.d[0] < '2') return { reject: 'aadhaar_format' };
  const d = r.d;
  let palindrome = true;
  for (let k = 0; k < 6; k++) palindrome = palindrome && d[k] === d[11 - k];
  if (palindrome) return { reject: 'aadhaar_format' };
  if (!verhoeffValid(d)) return { reject: 'aadhaar_checksum' };
  return { value: d };
}

function vMobile(s) {
  const r = collectDigits(s, '-().', 16);
  if (!r) return { reject: 'mobile' };
  const { d, plus } = r;
  let m;
  if (plus) {
    if (d.length !== 12 || !d.startsWith('91')) return { reject: 'mobile' };
    m = d.slice(2);
  } else if (d.length === 14 && d.startsWith('0091')) m = d.slice(4);
  else if (d.length === 12 && d.startsWith('91')) m = d.slice(2);
  else if (d.length === 11 && d[0] === '0') m = d.slice(1);
  else if (d.length === 10) m = d;
  else return { reject: 'mobile' };
  if (m[0] < '6') return { reject: 'mobile' };
  return { value: m };
}

function vPin(input, s) {
  const r = collectDigits(s, '', 6);
  if (!r || r.d.length !== 6 || r.plus || r.d[0] === '0') return { reject: 'pin' };
  if (input.delhi && !r.d.startsWith('110')) return { reject: 'pin_not_delhi' };
  return { value: r.d };
}

// Folded yes and no words (chandrabindu as anusvara, nukta dropped).
const YES = new Set(['yes', 'y', 'yeah', 'yep', 'haan', 'han', 'haa', 'ha', 'ji', 'ji haan',
  'haan ji', 'ok', 'okay', 'sahi', 'हां', 'हा', 'जी', 'जी हां', 'हां जी', 'सही']);
const NO = new Set(['no', 'n', 'nope', 'nahi', 'nahin', 'nhi', 'na', 'galat', 'nahi ji', 'नहीं',
  'नही', 'ना', 'गलत', 'नहीं जी']);

/** 1 yes, 0 no, -1 neither, for folded text. */
export const yesNo = (f) => (YES.has(f) ? 1 : NO.has(f) ? 0 : -1);

/** Validates and normalises a typed answer: { value } or { reject }. */
export function validate(input, text, today, ageRef) {
  const s = trim(text);
  if (s === '') return { reject: 'empty' };
  switch (input.type) {
    case 'text': return vText(input, s);
    case 'name': return vName(input, s);
    case 'date': return vDate(input, s, today, ageRef);
    case 'aadhaar': return vAadhaar(s);
    case 'mobile': return vMobile(s);
    case 'pin': return vPin(input, s);
    case 'yesno': {
      const yn = yesNo(fold(s));
      return yn < 0 ? { reject: 'yesno' } : { value: yn === 1 };
    }
    default: return { reject: 'empty' };
  }
}
