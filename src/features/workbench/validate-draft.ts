/**
 * Validates an unsaved edit with the loader that will read the file once saved: flows and their settings
 * as a whole set with the draft in place (the validator of `plausch flows check`), knowledge-base files
 * together with the other faq/ files, events with the other event files, topics, campaigns and conversation
 * tests with their own parsers. Every problem comes back with its file (relative to FLOWS_DIR), line and
 * column; a "did you mean" suggestion becomes a fix the editor applies with one click.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseTemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import type { ActionRegistry } from '../../engine/actions.js';
import { parseConversationTests } from '../../engine/conversation-tests/test-file.js';
import { inspectFlowDirectory } from '../../flows/flow-set.js';
import type { FlowDirectory } from '../../flows/loader.js';
import type { FlowProblem, ProblemSeverity } from '../../flows/problems.js';
import { SourceError, type SourceProblem } from '../../yaml/validated-yaml.js';
import { loadEventDefinitions } from '../events/definitions.js';
import { parseKnowledgeBase } from '../faq/kb-loader.js';
import { parseTopicCatalog } from '../newsletter/topics.js';
import { ProgramError, parseReferralProgram } from '../referrals/program-loader.js';
import type { FlowsFolder, WorkbenchFileKind } from './files.js';

export interface DraftFix {
  /** Replace the text from line:column to line:endColumn (1-based, end exclusive) with `insert`. */
  line: number;
  column: number;
  endColumn: number;
  insert: string;
}

export interface DraftProblem {
  file: string;
  line: number;
  column: number;
  severity: ProblemSeverity;
  message: string;
  fix?: DraftFix;
}

export interface DraftValidation {
  /** False when saving would be refused: some file of the set has an error with the draft in place. */
  ok: boolean;
  problems: DraftProblem[];
}

export interface FlowDraftInspection extends DraftValidation {
  directory: FlowDirectory;
}

/** Several unsaved files at once (the simulator runs the whole draft set), by relative path. */
export type Drafts = ReadonlyMap<string, string>;

export async function inspectFlowDrafts(
  folder: FlowsFolder,
  actions: ActionRegistry,
  drafts: Drafts,
): Promise<FlowDraftInspection> {
  const overlay = new Map<string, string>();
  for (const [path, text] of drafts) if (!path.includes('/')) overlay.set(path, text);
  const { directory, problems } = await inspectFlowDirectory(folder.dir, actions, { overlay });
  return { directory, ...fromFlowProblems(folder, problems, drafts) };
}

export async function validateDraft(
  folder: FlowsFolder,
  actions: ActionRegistry,
  path: string,
  kind: WorkbenchFileKind,
  text: string,
): Promise<DraftValidation> {
  const drafts = new Map([[path, text]]);
  switch (kind) {
    case 'flow':
    case 'flow-settings': {
      const { ok, problems } = await inspectFlowDrafts(folder, actions, drafts);
      return { ok, problems };
    }
    case 'faq':
      return fromSourceErrors(folder, drafts, async () => {
        const dir = join(folder.dir, 'faq');
        const names = (await readdir(dir).catch(() => [] as string[])).filter((name) =>
          /\.ya?ml$/.test(name),
        );
        const files = await Promise.all(
          [...new Set([...names, basename(path)])].sort().map(async (name) => {
            const file = join(dir, name);
            return { file, text: name === basename(path) ? text : await readFile(file, 'utf8') };
          }),
        );
        parseKnowledgeBase(files);
      });
    case 'events':
      return fromSourceErrors(folder, drafts, async () => {
        loadEventDefinitions(join(folder.dir, 'events'), folder.dir, new Map([[basename(path), text]]));
      });
    case 'topics':
      return fromSourceErrors(folder, drafts, async () => {
        parseTopicCatalog(text, join(folder.dir, path));
      });
    case 'campaigns':
      return fromSourceErrors(folder, drafts, async () => {
        parseReferralProgram(text, join(folder.dir, path));
      });
    case 'whatsapp-templates':
      return fromSourceErrors(folder, drafts, async () => {
        parseTemplateRegistry(text, join(folder.dir, path));
      });
    case 'test': {
      const { problems } = parseConversationTests(text, join(folder.dir, path));
      const listed = problems.map(
        (problem): DraftProblem => ({
          file: path,
          line: problem.line,
          column: 1,
          severity: 'error',
          message: problem.message,
        }),
      );
      return { ok: listed.length === 0, problems: listed };
    }
  }
}

function fromFlowProblems(
  folder: FlowsFolder,
  problems: readonly FlowProblem[],
  drafts: Drafts,
): DraftValidation {
  const listed = problems.map((problem) =>
    withFix(drafts, { ...problem, file: folder.relativePath(problem.file) }),
  );
  return { ok: !listed.some((problem) => problem.severity === 'error'), problems: listed };
}

async function fromSourceErrors(
  folder: FlowsFolder,
  drafts: Drafts,
  parse: () => Promise<void>,
): Promise<DraftValidation> {
  try {
    await parse();
    return { ok: true, problems: [] };
  } catch (error) {
    const problems: readonly SourceProblem[] | undefined =
      error instanceof SourceError || error instanceof ProgramError ? error.problems : undefined;
    if (!problems) throw error;
    const listed = problems.map((problem) =>
      withFix(drafts, {
        ...problem,
        file: problem.file.startsWith('/') ? folder.relativePath(problem.file) : problem.file,
        severity: 'error' as const,
      }),
    );
    return { ok: false, problems: listed };
  }
}

const DID_YOU_MEAN = /did you mean "([^"]+)"\?/;

/** Turns `(did you mean "buttons"?)` into a replacement of the word the problem points at. */
function withFix(drafts: Drafts, problem: DraftProblem): DraftProblem {
  const suggestion = DID_YOU_MEAN.exec(problem.message)?.[1];
  const text = drafts.get(problem.file);
  if (!suggestion || text === undefined) return problem;
  const line = text.split('\n')[problem.line - 1];
  if (line === undefined) return problem;
  const from = problem.column - 1;
  const word = /^(["']?)([^\s"':,{}[\]#]+)\1/.exec(line.slice(from));
  if (!word?.[2]) return problem;
  const quote = word[1]?.length ?? 0;
  return {
    ...problem,
    fix: {
      line: problem.line,
      column: problem.column + quote,
      endColumn: problem.column + quote + word[2].length,
      insert: suggestion,
    },
  };
}
