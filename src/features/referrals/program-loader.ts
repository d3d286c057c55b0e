/**
 * Loads `flows/referrals/campaigns.yaml` and reports every problem as `file:line:column: message`, both shape
 * errors (zod) and meaning errors (unknown default campaign, missing `{{link}}`, unknown coupon pool).
 */
import { readFile } from 'node:fs/promises';
import { parseYamlWith, positionOf, type SourceProblem } from '../../yaml/validated-yaml.js';
import { programSchema, type ReferralProgram } from './program-schema.js';

export type ProgramProblem = SourceProblem;

export class ProgramError extends Error {
  constructor(readonly problems: readonly ProgramProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    this.name = 'ProgramError';
  }
}

type PathKey = string | number;

/** Parses and checks the programme; throws a ProgramError listing every problem. */
export function parseReferralProgram(text: string, file: string): ReferralProgram {
  const parsed = parseYamlWith(programSchema, text, file);
  if (!parsed.ok) throw new ProgramError(parsed.problems);
  const program = parsed.value;
  const problems = checkMeaning(program).map((p) => ({
    ...positionOf(parsed.source, p.path),
    message: `${p.path.join('.')}: ${p.message}`,
  }));
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
