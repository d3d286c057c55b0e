/**
 * Reads what a customer typed as the kind of answer a question expects (`expect: email|number|phone|date|
 * yes_no|text`), in the formats Germans and English speakers actually type: `12,5`, `1.000`, `0341 123456`,
 * `24.12.`, `morgen`, `jo`. Pure: the clock and time zone come in.
 */
import { DateTime } from 'luxon';
import type { ExpectKind, StepDefinition } from '../flows/schema.js';
import type { JsonValue } from '../model/index.js';
import { normalizeForMatching } from '../text/normalize.js';

export type ParsedInput = { ok: true; value: JsonValue } | { ok: false };

export interface ParseContext {
  now: Date;
  /** Where "today" is; the brand's zone. */
  timeZone: string;
  /** Country code for numbers typed with a leading 0 (national format). */
  defaultCountryCode: string;
}

export const DEFAULT_PARSE_CONTEXT: Omit<ParseContext, 'now'> = {
  timeZone: 'Europe/Berlin',
  defaultCountryCode: '49',
};

const INVALID: ParsedInput = { ok: false };

export function parseExpectedInput(
  kind: Exclude<ExpectKind, 'choice'>,
  text: string,
  validate: StepDefinition['validate'],
  context: ParseContext,
): ParsedInput {
  switch (kind) {
    case 'email':
      return parseEmail(text);
    case 'number':
      return parseNumberAnswer(text, validate);
    case 'phone':
      return parsePhone(text, context.defaultCountryCode);
    case 'date':
      return parseDate(text, context);
    case 'yes_no':
      return parseYesNo(text);
    case 'text':
      return parseText(text, validate);
  }
}

const EMAIL =
  /[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}/i;

/** An address alone or inside a sentence ("meine mail ist anna@beispiel.example"); exactly one. */
export function parseEmail(text: string): ParsedInput {
  const tokens = text
    .trim()
    .split(/[\s,;<>()]+/)
    .filter((token) => token.includes('@'));
  if (tokens.length !== 1) return INVALID;
  const token = tokens[0]!.replace(/^mailto:/i, '').replace(/[.!?:]+$/, '');
  const match = EMAIL.exec(token);
  if (!match || match[0].length !== token.length || token.includes('..')) return INVALID;
  return { ok: true, value: token.toLowerCase() };
}

/** `12`, `12,5`, `1.000`, `1.000,50`, `12.5`, `-3`, also inside a short sentence ("ca. 3 Stück"). */
export function parseLocaleNumber(text: string): number | null {
  const tokens = text.match(/[-+]?\d[\d.,']*/g);
  if (tokens?.length !== 1) return null;
  let token = tokens[0]!.replace(/[.,']+$/, '').replace(/'/g, '');
  const lastComma = token.lastIndexOf(',');
  const lastDot = token.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    // Both present: the later one is the decimal separator.
    const decimal = lastComma > lastDot ? ',' : '.';
    const thousands = decimal === ',' ? '.' : ',';
    token = token.split(thousands).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    token = /^[-+]?\d{1,3}(,\d{3}){2,}$/.test(token) ? token.replace(/,/g, '') : token.replace(',', '.');
  } else if (lastDot >= 0 && /^[-+]?\d{1,3}(\.\d{3})+$/.test(token)) {
    // German thousands: 1.000 is a thousand, not one.
    token = token.replace(/\./g, '');
  }
  if (!/^[-+]?\d+(\.\d+)?$/.test(token)) return null;
  const value = Number(token);
  return Number.isFinite(value) ? value : null;
}

function parseNumberAnswer(text: string, validate: StepDefinition['validate']): ParsedInput {
  const value = parseLocaleNumber(text);
  if (value === null) return INVALID;
  if (validate?.min !== undefined && value < validate.min) return INVALID;
  if (validate?.max !== undefined && value > validate.max) return INVALID;
  return { ok: true, value };
}

/** `+49 341 1234567`, `0049 …`, `0341/123456`, `(0341) 12 34 56` → `+49341…` (E.164-ish). */
export function parsePhone(text: string, defaultCountryCode: string): ParsedInput {
  const trimmed = text.trim();
  if (!/^[+(\d][\d\s()/.-]*$/.test(trimmed)) return INVALID;
  let digits = trimmed.replace(/[^\d]/g, '');
  if (trimmed.startsWith('+')) {
    // already international
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2);
  } else if (digits.startsWith('0')) {
    digits = defaultCountryCode + digits.slice(1);
  } else {
    return INVALID;
  }
  if (digits.length < 7 || digits.length > 15 || digits.startsWith('0')) return INVALID;
  return { ok: true, value: `+${digits}` };
}

const RELATIVE_DAYS: Record<string, number> = {
  heute: 0,
  today: 0,
  morgen: 1,
  tomorrow: 1,
  uebermorgen: 2,
  'day after tomorrow': 2,
};

/** `24.12.2026`, `24.12.26`, `24.12.` (next such day), `2026-12-24`, `heute`, `morgen`, `übermorgen`. */
export function parseDate(text: string, context: ParseContext): ParsedInput {
  const today = DateTime.fromJSDate(context.now, { zone: context.timeZone }).startOf('day');
  const normalized = normalizeForMatching(text);
  const relative = RELATIVE_DAYS[normalized];
  if (relative !== undefined) return { ok: true, value: today.plus({ days: relative }).toISODate()! };

  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));

  const german = /^(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{2}|\d{4}))?$/.exec(trimmed);
  if (german) {
    const day = Number(german[1]);
    const month = Number(german[2]);
    if (german[3]) {
      const year = german[3].length === 2 ? 2000 + Number(german[3]) : Number(german[3]);
      return isoDate(year, month, day);
    }
    // No year: the next such day, today included.
    const thisYear = DateTime.fromObject({ year: today.year, month, day }, { zone: context.timeZone });
    if (!thisYear.isValid) return INVALID;
    return { ok: true, value: (thisYear < today ? thisYear.plus({ years: 1 }) : thisYear).toISODate()! };
  }
  return INVALID;
}

function isoDate(year: number, month: number, day: number): ParsedInput {
  const date = DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
  return date.isValid ? { ok: true, value: date.toISODate()! } : INVALID;
}

const YES = new Set([
  'ja',
  'jo',
  'jap',
  'japp',
  'jep',
  'jepp',
  'jawohl',
  'klar',
  'na klar',
  'gerne',
  'gern',
  'ok',
  'okay',
  'passt',
  'genau',
  'sicher',
  'auf jeden fall',
  'unbedingt',
  'yes',
  'y',
  'yeah',
  'yep',
  'yup',
  'sure',
  'of course',
  'ja gerne',
  'ja bitte',
  'yes please',
  'absolutely',
  'j',
  '👍',
]);
const NO = new Set([
  'nein',
  'ne',
  'nee',
  'noe',
  'nö',
  'nope',
  'no',
  'n',
  'nein danke',
  'no thanks',
  'lieber nicht',
  'nicht',
  'keine',
  'auf keinen fall',
  'not really',
  'nah',
  '👎',
]);

/** Yes or no in German or English, alone or leading a short answer ("ja, gerne", "nein danke"). */
export function parseYesNo(text: string): ParsedInput {
  const raw = text.trim();
  if (raw === '👍') return { ok: true, value: true };
  if (raw === '👎') return { ok: true, value: false };
  const normalized = normalizeForMatching(raw);
  if (YES.has(normalized)) return { ok: true, value: true };
  if (NO.has(normalized)) return { ok: true, value: false };
  const words = normalized.split(' ');
  const first = words[0] ?? '';
  const firstTwo = words.slice(0, 2).join(' ');
  const saysYes = YES.has(first) || YES.has(firstTwo);
  const saysNo = NO.has(first) || NO.has(firstTwo);
  if (saysYes === saysNo || words.length > 5) return INVALID;
  // "ja, aber nein" is not an answer.
  const rest = words.slice(1);
  if (saysYes && rest.some((w) => NO.has(w) && w !== 'n')) return INVALID;
  if (saysNo && rest.some((w) => YES.has(w) && w !== 'ok' && w !== 'gerne' && w !== 'danke')) return INVALID;
  return { ok: true, value: saysYes };
}

function parseText(text: string, validate: StepDefinition['validate']): ParsedInput {
  const value = text.trim();
  if (value === '') return INVALID;
  if (validate?.min_length !== undefined && value.length < validate.min_length) return INVALID;
  if (validate?.max_length !== undefined && value.length > validate.max_length) return INVALID;
  if (validate?.pattern !== undefined) {
    try {
      if (!new RegExp(validate.pattern, 'u').test(value)) return INVALID;
    } catch {
      return INVALID;
    }
  }
  return { ok: true, value };
}
