/**
 * Reads a flow folder: `settings.yaml` (optional) and every `*.yaml`/`*.yml` at its top level, one flow
 * per file. Subfolders (`faq/`, `events/`, `tests/`, …) belong to other loaders and are ignored. Every
 * problem in every file is collected with its position; nothing is checked across files here.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { repairForDiagnosis } from './diagnostic-repair.js';
import type { FlowProblem } from './problems.js';
import {
  type FlowDefinition,
  type FlowSettings,
  flowSchema,
  flowSettingsSchema,
  type LoadedFlow,
} from './schema.js';
import { parseWithPositions } from './schema-issues.js';
import { keyPosition, mapKeysAt, parseYamlSource, type YamlSource } from './yaml-source.js';

export const SETTINGS_FILE_NAMES = ['settings.yaml', 'settings.yml'] as const;

/** A flow that passed the shape check, with its document kept for positions in later checks. */
export interface ParsedFlowFile {
  flow: LoadedFlow;
  source: YamlSource;
  /**
   * Set when the file failed its shape check and the offending parts were left out so the rest could
   * still be checked against the other files (see diagnostic-repair.ts). Such a flow never loads.
   */
  repaired?: true;
}

export interface FlowDirectory {
  dir: string;
  settings: FlowSettings;
  /** Absent when the folder has no settings file (defaults apply) or it had problems. */
  settingsSource?: YamlSource;
  flows: ParsedFlowFile[];
  /** Syntax and shape problems of every file. */
  problems: FlowProblem[];
  /** Every file that was read, including those with problems. */
  files: string[];
  /** Ids of flows too broken to check further: other flows may still name them without a follow-up error. */
  brokenFlowIds: string[];
}

export function isFlowFileName(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/i.test(name) && !isSettingsFileName(name);
}

export function isSettingsFileName(name: string): boolean {
  return (SETTINGS_FILE_NAMES as readonly string[]).includes(name);
}

export interface ReadFlowDirectoryOptions {
  /**
   * Unsaved edits by file name (`welcome.yaml`): the text replaces the file on disk, `null` leaves the
   * file out. The console's workbench validates and simulates drafts this way without writing them.
   */
  overlay?: ReadonlyMap<string, string | null>;
}

export async function readFlowDirectory(
  dir: string,
  options: ReadFlowDirectoryOptions = {},
): Promise<FlowDirectory> {
  const overlay = options.overlay ?? new Map<string, string | null>();
  const readText = (name: string): Promise<string> => {
    const draft = overlay.get(name);
    return typeof draft === 'string' ? Promise.resolve(draft) : readFile(join(dir, name), 'utf8');
  };
  const problems: FlowProblem[] = [];
  let entries: { name: string; isFile(): boolean }[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'folder not found' : String(error);
    problems.push({
      file: dir,
      line: 1,
      column: 1,
      severity: 'error',
      message: `cannot read the flow folder: ${reason}`,
    });
    return { dir, settings: flowSettingsSchema.parse({}), flows: [], problems, files: [], brokenFlowIds: [] };
  }
  const onDisk = entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  const names = [...new Set([...onDisk, ...overlay.keys()])]
    .filter((name) => overlay.get(name) !== null)
    .sort();

  let settings = flowSettingsSchema.parse({});
  let settingsSource: YamlSource | undefined;
  const settingsNames = names.filter(isSettingsFileName);
  const files: string[] = [];
  for (const name of settingsNames) {
    const file = join(dir, name);
    files.push(file);
    if (settingsNames.length > 1 && name !== settingsNames[0]) {
      problems.push({
        file,
        line: 1,
        column: 1,
        severity: 'error',
        message: `two settings files: keep either ${settingsNames.join(' or ')}`,
      });
      continue;
    }
    const parsed = parseSettingsFile(await readText(name), file);
    problems.push(...parsed.problems);
    if (parsed.settings && parsed.source) {
      settings = parsed.settings;
      settingsSource = parsed.source;
    }
  }

  const flows: ParsedFlowFile[] = [];
  const brokenFlowIds: string[] = [];
  const flowNames = names.filter(isFlowFileName);
  if (flowNames.length === 0) {
    problems.push({
      file: dir,
      line: 1,
      column: 1,
      severity: 'error',
      message: 'no flow files (*.yaml) in this folder',
    });
  }
  for (const name of flowNames) {
    const file = join(dir, name);
    files.push(file);
    const parsed = parseFlowFile(await readText(name), file);
    problems.push(...parsed.problems);
    if (parsed.flow) flows.push(parsed.flow);
    else if (parsed.repaired) flows.push(parsed.repaired);
    else if (parsed.declaredId) brokenFlowIds.push(parsed.declaredId);
  }
  return {
    dir,
    settings,
    ...(settingsSource ? { settingsSource } : {}),
    flows,
    problems,
    files,
    brokenFlowIds,
  };
}

export function parseSettingsFile(
  text: string,
  file: string,
): { settings?: FlowSettings; source?: YamlSource; problems: FlowProblem[] } {
  const { source, problems } = parseYamlSource(text, file);
  if (problems.some((problem) => problem.severity === 'error')) return { problems };
  // An empty settings file means "all defaults".
  const value = source.document.contents === null ? {} : source.document.toJS();
  const result = parseWithPositions(flowSettingsSchema, value, source);
  if (!result.ok) return { problems: [...problems, ...result.problems] };
  return { settings: result.value, source, problems };
}

/**
 * Parses one flow file; `flow` is set only when the file has no errors. Otherwise `repaired` holds what
 * could be salvaged for cross-file checks, or `declaredId` the `id:` the file claims, so other files'
 * references to it are not reported as errors of their own.
 */
export function parseFlowFile(
  text: string,
  file: string,
): { flow?: ParsedFlowFile; repaired?: ParsedFlowFile; declaredId?: string; problems: FlowProblem[] } {
  const { source, problems } = parseYamlSource(text, file);
  // Duplicate keys leave a usable document (the last one wins), so the shape check can still run.
  const syntaxBroken = source.document.errors.some((error) => error.code !== 'DUPLICATE_KEY');
  if (syntaxBroken) return { problems };
  const notAFlow = explainNotAFlow(source);
  if (notAFlow)
    return { problems: [...problems, { file, line: 1, column: 1, severity: 'error', message: notAFlow }] };

  const value: unknown = source.document.toJS();
  const result = parseWithPositions(flowSchema, value, source);
  if (!result.ok) {
    const allProblems = [...problems, ...result.problems];
    const repairedDefinition = repairForDiagnosis(value);
    if (repairedDefinition) {
      const repaired = {
        flow: toLoadedFlow(repairedDefinition, file, source),
        source,
        repaired: true as const,
      };
      return { repaired, problems: allProblems };
    }
    const declaredId = (value as { id?: unknown }).id;
    return { problems: allProblems, ...(typeof declaredId === 'string' ? { declaredId } : {}) };
  }
  const flow = { flow: toLoadedFlow(result.value, file, source), source };
  return problems.some((problem) => problem.severity === 'error')
    ? { repaired: { ...flow, repaired: true }, problems }
    : { flow, problems };
}

function toLoadedFlow(definition: FlowDefinition, file: string, source: YamlSource): LoadedFlow {
  const stepPositions: LoadedFlow['stepPositions'] = {};
  for (const stepId of Object.keys(definition.steps))
    stepPositions[stepId] = keyPosition(source, ['steps', stepId]);
  return { definition, file, stepPositions };
}

/** One clear sentence instead of a page of "unknown key" when a file is not a flow at all. */
function explainNotAFlow(source: YamlSource): string | undefined {
  const contents = source.document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return 'the file is empty: a flow file holds one flow with "id:" and "steps:"';
  }
  if (!isMap(contents)) return 'a flow file holds one flow: a block with "id:" and "steps:" at the top';
  const keys = mapKeysAt(source, []);
  if (!keys.includes('id') && !keys.includes('steps')) {
    return `this is not a flow (no "id:" and no "steps:"); other YAML files (knowledge base, tests, evaluations) belong in a subfolder such as faq/ or tests/`;
  }
  return undefined;
}
