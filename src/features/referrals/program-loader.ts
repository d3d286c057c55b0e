/**
 * Loads `flows/referrals/campaigns.yaml` and reports every problem as `file:line:column: message`, both shape
 * errors (zod) and meaning errors (unknown default campaign, missing `{{link}}`, unknown coupon pool).
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { programSchema, type ReferralProgram } from './program-schema.js';

export interface ProgramProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class ProgramError extends Error {
  constructor(readonly problems: readonly ProgramProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    this.name = 'ProgramError';
  }
}

type PathKey = string | number;

/** Parses and checks the programme; throws a ProgramError listing every problem. */
export function parseReferralProgram(text: string, file: string): ReferralProgram {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ProgramProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, message };
  };
  const syntax = [...document.errors, ...document.warnings].map((e) =>
    at(e.pos[0], e.message.split('\n')[0] ?? e.message),
  );
  if (syntax.length > 0) throw new ProgramError(syntax);

  const positionOf = (path: readonly PathKey[], message: string, keyName?: string): ProgramProblem => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as Node | undefined;
      if (!node || typeof node !== 'object' || !('range' in node) || !node.range) continue;
      if (keyName !== undefined && length === path.length && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === keyName);
        if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0], message);
      }
      return at(node.range[0], message);
    }
    return at(0, message);
  };

  const parsed = programSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol');
      const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      return positionOf(path, `${path.length > 0 ? `${path.join('.')}: ` : ''}${message}`, unknownKey);
    });
    throw new ProgramError(sortProblems(problems));
  }
  const program = parsed.data;
  const problems = checkMeaning(program).map((p) => positionOf(p.path, `${p.path.join('.')}: ${p.message}`));
  if (problems.length > 0) throw new ProgramError(sortProblems(problems));
  return program;
}

export async function loadReferralProgram(file: string): Promise<ReferralProgram> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProgramError([{ file, line: 1, column: 1, message: `cannot read the file: ${reason}` }]);
  }
  return parseReferralProgram(text, file);
}

function sortProblems(problems: ProgramProblem[]): ProgramProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Rules across fields that zod's shape cannot express. */
function checkMeaning(program: ReferralProgram): Array<{ path: PathKey[]; message: string }> {
  const problems: Array<{ path: PathKey[]; message: string }> = [];
  if (!program.campaigns[program.default_campaign]) {
    problems.push({
      path: ['default_campaign'],
      message: `no campaign "${program.default_campaign}" (known: ${Object.keys(program.campaigns).join(', ')})`,
    });
  }
  for (const [id, campaign] of Object.entries(program.campaigns)) {
    for (const [locale, text] of localizedEntries(campaign.share_text)) {
      if (!text.includes('{{link}}')) {
        problems.push({
          path: ['campaigns', id, 'share_text', ...(locale ? [locale] : [])],
          message: 'the share text must contain {{link}} so friends get the personal link',
        });
      }
    }
    for (const [locale, text] of localizedEntries(campaign.whatsapp_text)) {
      if (!text.includes('{{payload}}')) {
        problems.push({
          path: ['campaigns', id, 'whatsapp_text', ...(locale ? [locale] : [])],
          message: 'the WhatsApp text must contain {{payload}}, or the bot cannot recognise the referral',
        });
      }
    }
    const seenIds = new Set<string>();
    const seenFriends = new Set<number>();
    campaign.milestones.forEach((milestone, index) => {
      if (seenIds.has(milestone.id)) {
        problems.push({
          path: ['campaigns', id, 'milestones', index, 'id'],
          message: `duplicate milestone id "${milestone.id}"`,
        });
      }
      if (seenFriends.has(milestone.friends)) {
        problems.push({
          path: ['campaigns', id, 'milestones', index, 'friends'],
          message: `another milestone already rewards ${milestone.friends} friends`,
        });
      }
      seenIds.add(milestone.id);
      seenFriends.add(milestone.friends);
      if (milestone.coupon_pool && !program.coupon_pools[milestone.coupon_pool]) {
        problems.push({
          path: ['campaigns', id, 'milestones', index, 'coupon_pool'],
          message: `unknown coupon pool "${milestone.coupon_pool}"; declare it under coupon_pools (codes may be loaded over the API)`,
        });
      }
    });
  }
  for (const [pool, definition] of Object.entries(program.coupon_pools)) {
    const seen = new Set<string>();
    definition.codes.forEach((code, index) => {
      if (seen.has(code))
        problems.push({ path: ['coupon_pools', pool, 'codes', index], message: `duplicate code "${code}"` });
      seen.add(code);
    });
  }
  return problems;
}

function localizedEntries(text: string | Record<string, string> | undefined): Array<[string | null, string]> {
  if (text === undefined) return [];
  if (typeof text === 'string') return [[null, text]];
  return Object.entries(text);
}
