/**
 * The language data built at development time by scripts/build-understanding-data.ts (OpenThesaurus,
 * WordNet, Ding, igerman98, ICU; licences in data/NOTICE.md): synonym groups per language, an
 * English→German word bridge, place names → country code, and the stems of real German and English words.
 * Read once, lazily, from the gzip file shipped in the repo; nothing is fetched at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Language } from './language.js';

const dataSchema = z.object({
  synonyms: z.object({ de: z.array(z.array(z.string())), en: z.array(z.array(z.string())) }),
  bridge: z.array(z.tuple([z.string(), z.array(z.string())])),
  places: z.record(z.string(), z.string().regex(/^[A-Z]{2}$/)),
  stems: z.object({ de: z.string(), en: z.string() }),
});

export interface LexiconData {
  /** Synonym groups as Snowball stems, per language. */
  synonyms: Record<Language, readonly (readonly string[])[]>;
  /** English stem → German stems. */
  englishToGerman: ReadonlyMap<string, readonly string[]>;
  /** Folded place name (1–3 words) → ISO 3166 country code. */
  places: ReadonlyMap<string, string>;
  /** Stems of real words per language: "gramm" is a word, not a typo of "programm". */
  realStems: Record<Language, ReadonlySet<string>>;
}

const FILE_NAME = 'lexicon.json.gz';
// From src/ (tsx) the data sits beside this module; a compiled build (dist/) reads it from src/.
const CANDIDATES = [
  new URL(`./data/${FILE_NAME}`, import.meta.url),
  new URL(`../../src/understanding/data/${FILE_NAME}`, import.meta.url),
];

let loaded: LexiconData | undefined;

export function lexiconData(): LexiconData {
  if (loaded) return loaded;
  const file = CANDIDATES.find((candidate) => existsSync(candidate));
  if (!file)
    throw new Error(`understanding data ${FILE_NAME} is missing; run scripts/build-understanding-data.ts`);
  const raw = dataSchema.parse(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
  loaded = {
    synonyms: raw.synonyms,
    englishToGerman: new Map(raw.bridge),
    places: new Map(Object.entries(raw.places)),
    realStems: { de: new Set(raw.stems.de.split(' ')), en: new Set(raw.stems.en.split(' ')) },
  };
  return loaded;
}
