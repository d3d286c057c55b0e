/**
 * The cross-file validator: given flows that each passed the shape check, finds what only the whole set
 * reveals — duplicate ids, jumps to missing steps or flows, unknown actions and bad arguments, missing
 * translations, competing triggers, unreachable steps. Pure: no I/O, the same input gives the same list.
 */
import { basename } from 'node:path';
import type { ActionRegistry } from '../engine/actions.js';
import type { ParsedFlowFile } from './loader.js';
import type { FlowProblem } from './problems.js';
import { sortProblems } from './problems.js';
import { type FlowSetDraft, ProblemList, type ValidationContext } from './validate-context.js';
import { checkReachability, externalEntryPoints } from './validate-reachability.js';
import { checkFlowReference, checkFlowSteps } from './validate-steps.js';
import { checkLocalizedText } from './validate-texts.js';
import { checkTriggers } from './validate-triggers.js';
import { valuePosition } from './yaml-source.js';

export type { FlowSetDraft } from './validate-context.js';

export function validateFlowSet(draft: FlowSetDraft, actions: ActionRegistry): FlowProblem[] {
  const problems = new ProblemList();
  const flowsById = new Map<string, ParsedFlowFile>();
  for (const flow of draft.flows) {
    const id = flow.flow.definition.id;
    const earlier = flowsById.get(id);
    if (earlier) {
      const { line, column } = valuePosition(earlier.source, ['id']);
      problems.add(
        flow.source,
        ['id'],
        `flow id "${id}" is already used by ${basename(earlier.flow.file)}:${line}:${column}`,
      );
    } else flowsById.set(id, flow);
  }
  const context: ValidationContext = { draft, settings: draft.settings, actions, flowsById, problems };

  checkSettings(context);
  for (const flow of draft.flows) checkFlowSteps(context, flow);
  checkTriggers(context);
  checkReachability(context, externalEntryPoints(context));
  return sortProblems(problems.items);
}

function checkSettings(context: ValidationContext): void {
  const { settings, problems } = context;
  const source = context.draft.settingsSource;
  if (!source) return;
  if (!settings.locales.includes(settings.default_locale)) {
    problems.add(
      source,
      ['default_locale'],
      `default_locale "${settings.default_locale}" is not in locales (${settings.locales.join(', ')})`,
    );
  }
  settings.locales.forEach((locale, index) => {
    if (settings.locales.indexOf(locale) !== index)
      problems.warn(source, ['locales', index], `locale "${locale}" is listed twice`);
  });
  for (const [name, text] of Object.entries(settings.texts)) {
    if (text !== undefined)
      checkLocalizedText(problems, source, ['texts', name], text, { locales: settings.locales });
  }
  if (settings.on_too_many_misses !== undefined) {
    checkFlowReference(context, source, ['on_too_many_misses'], settings.on_too_many_misses);
  }
}
