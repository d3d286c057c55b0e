/**
 * Loads the knowledge base from `flows/faq/*.yaml`: validates each file, then checks across files
 * (an entry id used twice, a word in two synonym groups). All problems are reported at once.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  keyPositionOf,
  parseYamlWith,
  positionOf,
  SourceError,
  type SourceProblem,
  type YamlSource,
} from '../../yaml/validated-yaml.js';
import {
  type FaqEntry,
  type FaqFile,
  faqFileSchema,
  type KnowledgeBase,
  type SynonymGroup,
} from './kb-schema.js';
import { keyTokens } from './normalize.js';

export interface KnowledgeBaseFile {
  file: string;
  text: string;
}

/** The comparable form of a synonym: "Zurück schicken" and "zurueck-schicken" are the same word. */
function synonymKey(phrase: string): string {
  return keyTokens(phrase).join(' ');
}

function mergeSynonyms(
  parsed: ReadonlyArray<{ value: FaqFile; source: YamlSource }>,
  problems: SourceProblem[],
): SynonymGroup[] {
  const groups = new Map<string, SynonymGroup>();
  const headOfWord = new Map<string, string>();
  for (const { value, source } of parsed) {
    for (const [head, members] of Object.entries(value.synonyms ?? {})) {
      const headKey = synonymKey(head);
      const group = groups.get(headKey) ?? { head, members: [] };
      groups.set(headKey, group);
      for (const [index, word] of [head, ...members].entries()) {
        const wordKey = synonymKey(word);
        const earlierHead = headOfWord.get(wordKey);
        if (earlierHead !== undefined && earlierHead !== headKey) {
          const where =
            index === 0
              ? keyPositionOf(source, ['synonyms', head])
              : positionOf(source, ['synonyms', head, index - 1]);
          problems.push({
            ...where,
            message: `"${word}" already means "${earlierHead}" in another synonym group`,
          });
          continue;
        }
        headOfWord.set(wordKey, headKey);
        if (index > 0 && !group.members.includes(word)) group.members.push(word);
      }
    }
  }
  return [...groups.values()];
}

/** Validates and merges knowledge-base files given as text; throws a SourceError listing every problem. */
export function parseKnowledgeBase(files: readonly KnowledgeBaseFile[]): KnowledgeBase {
  const problems: SourceProblem[] = [];
  const parsed: Array<{ value: FaqFile; source: YamlSource }> = [];
  for (const { file, text } of files) {
    const result = parseYamlWith(faqFileSchema, text, file);
    if (result.ok) parsed.push({ value: result.value, source: result.source });
    else problems.push(...result.problems);
  }

  const entries: FaqEntry[] = [];
  const sources = new Map<string, string>();
  for (const { value, source } of parsed) {
    for (const [index, entry] of value.entries.entries()) {
      const earlier = sources.get(entry.id);
      if (earlier !== undefined) {
        const where = positionOf(source, ['entries', index, 'id']);
        problems.push({ ...where, message: `entry id "${entry.id}" is already used in ${earlier}` });
        continue;
      }
      sources.set(entry.id, source.file);
      entries.push(entry);
    }
  }
  const synonyms = mergeSynonyms(parsed, problems);
  const outOfScope: Record<string, string[]> = {};
  for (const { value } of parsed)
    for (const [locale, list] of Object.entries(value.out_of_scope ?? {}))
      outOfScope[locale] = [...(outOfScope[locale] ?? []), ...list];
  if (parsed.length === files.length && files.length > 0 && entries.length === 0)
    problems.push({ file: files[0]!.file, line: 1, column: 1, message: 'the knowledge base has no entries' });

  if (files.length === 0)
    problems.push({ file: '(knowledge base)', line: 1, column: 1, message: 'no files found' });
  if (problems.length > 0) throw new SourceError(problems);
  return { entries, synonyms, sources, outOfScope };
}

/** Reads every `*.yaml`/`*.yml` file of a folder (not recursive), in name order. */
export async function loadKnowledgeBase(directory: string): Promise<KnowledgeBase> {
  const names = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const files = await Promise.all(
    names.map(async (name) => {
      const file = join(directory, name);
      return { file, text: await readFile(file, 'utf8') };
    }),
  );
  return parseKnowledgeBase(files);
}
