/**
 * Checks inside one flow, with the other flows in view: every step, button and branch leads somewhere
 * that exists; actions exist and get arguments they accept; `on:` names outcomes the action reports;
 * conditions and patterns are sound; texts are translated; buttons fit the channels.
 */
import type { ActionDefinition } from '../engine/actions.js';
import { normalizeForMatching } from '../text/normalize.js';
import type { ParsedFlowFile } from './loader.js';
import { containsPlaceholder, explainUnknownVariablePath } from './placeholders.js';
import {
  MAX_PAYLOAD_BYTES,
  parseFlowReference,
  parseJumpPayload,
  RESERVED_PAYLOAD_PREFIXES,
} from './references.js';
import { type Condition, IDENTIFIER, type StepDefinition } from './schema.js';
import { parseWithPositions, valueAt } from './schema-issues.js';
import { didYouMean } from './suggest.js';
import type { ValidationContext } from './validate-context.js';
import { checkLocalizedText, checkPlaceholdersDeep } from './validate-texts.js';
import { keyPosition, type YamlPath, type YamlSource } from './yaml-source.js';

/** WhatsApp Cloud lists hold at most 10 rows; longer lists are cut or split by the channel. */
export const MAX_BUTTONS = 10;

/** Checks that `reference` (`flow` or `flow.step`) names an existing flow and step. */
export function checkFlowReference(
  context: ValidationContext,
  source: YamlSource,
  path: YamlPath,
  reference: string,
): void {
  const parsed = parseFlowReference(reference);
  if (!parsed) {
    context.problems.add(source, path, `"${reference}" is not a flow name (flow or flow.step)`);
    return;
  }
  const target = context.flowsById.get(parsed.flowId);
  if (!target && context.draft.brokenFlowIds?.includes(parsed.flowId)) return;
  if (!target) {
    const hint = didYouMean(parsed.flowId, context.flowsById.keys());
    context.problems.add(source, path, `no flow "${parsed.flowId}"${hint}`);
    return;
  }
  if (parsed.stepId !== undefined && !(parsed.stepId in target.flow.definition.steps)) {
    const hint = didYouMean(parsed.stepId, Object.keys(target.flow.definition.steps));
    context.problems.add(source, path, `flow "${parsed.flowId}" has no step "${parsed.stepId}"${hint}`);
  }
}

function checkStepReference(
  context: ValidationContext,
  flow: ParsedFlowFile,
  path: YamlPath,
  stepId: string,
): void {
  const steps = Object.keys(flow.flow.definition.steps);
  if (steps.includes(stepId)) return;
  const hint = didYouMean(stepId, steps);
  context.problems.add(flow.source, path, `no step "${stepId}" in flow "${flow.flow.definition.id}"${hint}`);
}

function checkJump(
  context: ValidationContext,
  flow: ParsedFlowFile,
  path: YamlPath,
  jump: { goto?: string | undefined; goto_flow?: string | undefined; next?: string | undefined },
): void {
  if (jump.goto !== undefined) checkStepReference(context, flow, [...path, 'goto'], jump.goto);
  if (jump.next !== undefined) checkStepReference(context, flow, [...path, 'next'], jump.next);
  if (jump.goto_flow !== undefined)
    checkFlowReference(context, flow.source, [...path, 'goto_flow'], jump.goto_flow);
}

export function checkFlowSteps(context: ValidationContext, flow: ParsedFlowFile): void {
  const { definition } = flow.flow;
  if (definition.start !== undefined) checkStepReference(context, flow, ['start'], definition.start);
  for (const [stepId, step] of Object.entries(definition.steps)) {
    checkStep(context, flow, stepId, step);
  }
}

function checkStep(
  context: ValidationContext,
  flow: ParsedFlowFile,
  stepId: string,
  step: StepDefinition,
): void {
  const { problems, settings } = context;
  const { source } = flow;
  const base: YamlPath = ['steps', stepId];
  const texts = { locales: settings.locales };

  checkJump(context, flow, base, step);
  if (step.set) checkSetBlock(context, source, [...base, 'set'], step.set);

  if (step.action !== undefined) {
    const action = context.actions.get(step.action);
    if (action) checkActionCall(context, flow, base, step, action);
    else {
      const hint = didYouMean(step.action, context.actions.names());
      const known = hint ? '' : `; known actions: ${context.actions.names().join(', ') || 'none'}`;
      problems.add(source, [...base, 'action'], `unknown action "${step.action}"${hint}${known}`);
    }
  }
  for (const [outcome, target] of Object.entries(step.on ?? {})) {
    checkStepReference(context, flow, [...base, 'on', outcome], target);
  }
  if (step.with) checkPlaceholdersDeep(problems, source, [...base, 'with'], step.with);

  const says = step.say === undefined ? [] : Array.isArray(step.say) ? step.say : [step.say];
  says.forEach((text, index) => {
    checkLocalizedText(
      problems,
      source,
      Array.isArray(step.say) ? [...base, 'say', index] : [...base, 'say'],
      text,
      texts,
    );
  });
  if (step.ask !== undefined) checkLocalizedText(problems, source, [...base, 'ask'], step.ask, texts);
  if (step.retry !== undefined) {
    checkLocalizedText(problems, source, [...base, 'retry'], step.retry, texts);
    if (!step.ask && !step.buttons)
      problems.warn(
        source,
        [...base, 'retry'],
        '"retry" is only used by a step that asks or offers buttons',
        'key',
      );
  }
  if (step.media?.caption !== undefined) {
    checkLocalizedText(problems, source, [...base, 'media', 'caption'], step.media.caption, texts);
  }

  step.branch?.forEach((branchCase, index) => {
    const path: YamlPath = [...base, 'branch', index];
    checkJump(context, flow, path, branchCase);
    if (branchCase.when) checkCondition(context, source, [...path, 'when'], branchCase.when);
    if (!branchCase.when && index < (step.branch?.length ?? 0) - 1) {
      problems.warn(
        source,
        [...base, 'branch', index + 1],
        'this case is never used: the case before it has no "when" and always applies',
      );
    }
  });

  checkButtons(context, flow, base, step);
  checkAnswerRules(context, source, base, step);
}

function checkSetBlock(
  context: ValidationContext,
  source: YamlSource,
  path: YamlPath,
  set: Record<string, unknown>,
): void {
  for (const [name, value] of Object.entries(set)) {
    // `visit.<name>` is a visit variable: it lasts until the customer has been quiet for a while.
    const visitName = name.startsWith('visit.') ? name.slice(6) : null;
    if (visitName === 'returning') {
      context.problems.add(source, [...path, name], '"visit.returning" is set by Plausch, not by a flow', {
        where: 'key',
      });
    } else if (visitName !== null ? !IDENTIFIER.test(visitName) : !IDENTIFIER.test(name)) {
      const bare = name.startsWith('vars.') ? ` (write "${name.slice(5)}"; set always writes to vars.)` : '';
      context.problems.add(
        source,
        [...path, name],
        `"${name}" is not a variable name${bare}: use a-z, 0-9, _ and -`,
        { where: 'key' },
      );
    }
    checkPlaceholdersDeep(context.problems, source, [...path, name], value);
  }
}

function checkActionCall(
  context: ValidationContext,
  flow: ParsedFlowFile,
  base: YamlPath,
  step: StepDefinition,
  action: ActionDefinition,
): void {
  const { problems } = context;
  const withValue = step.with ?? {};
  // `{{…}}` texts are filled in at run time; they may stand where a text or a number is expected.
  const result = parseWithPositions(action.args, withValue, flow.source, [...base, 'with'], (path) =>
    containsPlaceholder(valueAt(withValue, path)),
  );
  if (!result.ok) {
    for (const problem of result.problems) {
      // A missing `with:` block points at the action, which is where the marketer looks.
      const position = step.with ? problem : { ...problem, ...keyPosition(flow.source, [...base, 'action']) };
      problems.items.push({ ...position, message: `${action.name}: ${problem.message}` });
    }
  }
  for (const outcome of Object.keys(step.on ?? {})) {
    if (action.outcomes.includes(outcome)) continue;
    const hint = didYouMean(outcome, action.outcomes);
    problems.add(
      flow.source,
      [...base, 'on', outcome],
      `action "${action.name}" has no outcome "${outcome}"${hint}; its outcomes: ${action.outcomes.join(', ')}`,
      { where: 'key' },
    );
  }
}

function checkCondition(
  context: ValidationContext,
  source: YamlSource,
  path: YamlPath,
  condition: Condition,
): void {
  if ('all' in condition) {
    condition.all.forEach((inner, index) => {
      checkCondition(context, source, [...path, 'all', index], inner);
    });
    return;
  }
  if ('any' in condition) {
    condition.any.forEach((inner, index) => {
      checkCondition(context, source, [...path, 'any', index], inner);
    });
    return;
  }
  if ('not' in condition) {
    checkCondition(context, source, [...path, 'not'], condition.not);
    return;
  }
  const reason = explainUnknownVariablePath(condition.var);
  if (reason) context.problems.add(source, [...path, 'var'], reason.message, { severity: reason.severity });
  if (condition.matches !== undefined) checkPattern(context, source, [...path, 'matches'], condition.matches);
}

function checkPattern(context: ValidationContext, source: YamlSource, path: YamlPath, pattern: string): void {
  try {
    // The engine compiles patterns with the u flag (conditions also with i); check them the same way.
    new RegExp(pattern, 'u');
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    context.problems.add(source, path, `invalid pattern: ${reason}`);
  }
}

function checkButtons(
  context: ValidationContext,
  flow: ParsedFlowFile,
  base: YamlPath,
  step: StepDefinition,
): void {
  const { problems, settings } = context;
  const { source } = flow;
  const buttons = step.buttons ?? [];
  if (buttons.length > MAX_BUTTONS) {
    problems.warn(
      source,
      [...base, 'buttons'],
      `${buttons.length} buttons: WhatsApp Cloud shows at most ${MAX_BUTTONS} options`,
      'key',
    );
  }
  const labelsSeen = new Map<string, number>();
  buttons.forEach((button, index) => {
    const path: YamlPath = [...base, 'buttons', index];
    checkJump(context, flow, path, button);
    checkLocalizedText(problems, source, [...path, 'label'], button.label, {
      locales: settings.locales,
      isButtonLabel: true,
    });
    if (button.set) checkSetBlock(context, source, [...path, 'set'], button.set);

    if (button.url) {
      const unused = (['goto', 'goto_flow', 'set', 'value', 'payload'] as const).filter(
        (key) => button[key] !== undefined,
      );
      if (unused.length > 0) {
        problems.warn(
          source,
          [...path, unused[0] as string],
          `a link button only opens its URL; ${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} never used`,
          'key',
        );
      }
    }
    if (button.payload !== undefined)
      checkButtonPayload(context, source, [...path, 'payload'], button.payload);

    const labels = typeof button.label === 'string' ? { '': button.label } : button.label;
    for (const [locale, label] of Object.entries(labels)) {
      const normalized = normalizeForMatching(label);
      const key = `${locale}\u0000${normalized}`;
      const earlier = labelsSeen.get(key);
      if (earlier !== undefined) {
        problems.add(
          source,
          [...path, 'label'],
          `buttons ${earlier + 1} and ${index + 1} are both labelled "${label}": typing the label could not tell them apart`,
        );
      } else labelsSeen.set(key, index);
      // On WhatsApp Web buttons become "1. …, 2. …"; a label that is a number collides with that.
      if (/^\d+$/.test(normalized) && !button.url) {
        problems.warn(
          source,
          [...path, 'label'],
          `the label "${label}" is a number; where buttons become numbered options (WhatsApp Web) typing it is ambiguous`,
        );
      }
    }
  });
}

function checkButtonPayload(
  context: ValidationContext,
  source: YamlSource,
  path: YamlPath,
  payload: string,
): void {
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    context.problems.add(
      source,
      path,
      `payload is ${bytes} bytes; Telegram allows at most ${MAX_PAYLOAD_BYTES}`,
    );
  }
  const reserved = RESERVED_PAYLOAD_PREFIXES.find((prefix) => payload.startsWith(prefix));
  if (reserved) {
    context.problems.add(
      source,
      path,
      `payloads starting with "${reserved}" are generated by Plausch; choose another`,
    );
    return;
  }
  if (!payload.startsWith('go:')) return;
  const parsed = parseJumpPayload(payload);
  if (!parsed.ok) {
    context.problems.add(source, path, parsed.reason);
    return;
  }
  const { flowId, stepId } = parsed.jump;
  checkFlowReference(context, source, path, stepId ? `${flowId}.${stepId}` : flowId);
}

/** ask/expect/validate/save fit together. */
function checkAnswerRules(
  context: ValidationContext,
  source: YamlSource,
  base: YamlPath,
  step: StepDefinition,
): void {
  const { problems } = context;
  const rules = step.validate;
  if (!rules) return;
  const path: YamlPath = [...base, 'validate'];
  if (!step.ask) {
    problems.add(source, path, '"validate" checks the answer to an "ask" question; this step asks nothing', {
      where: 'key',
    });
  }
  if (rules.pattern !== undefined) checkPattern(context, source, [...path, 'pattern'], rules.pattern);
  if (rules.min !== undefined && rules.max !== undefined && rules.min > rules.max) {
    problems.add(
      source,
      [...path, 'max'],
      `max (${rules.max}) is smaller than min (${rules.min}): no answer could pass`,
    );
  }
  if (
    rules.min_length !== undefined &&
    rules.max_length !== undefined &&
    rules.min_length > rules.max_length
  ) {
    problems.add(
      source,
      [...path, 'max_length'],
      `max_length (${rules.max_length}) is smaller than min_length (${rules.min_length}): no answer could pass`,
    );
  }
  const expect = step.expect ?? 'text';
  if ((rules.min !== undefined || rules.max !== undefined) && expect !== 'number') {
    problems.warn(
      source,
      [...path, rules.min !== undefined ? 'min' : 'max'],
      `min/max compare numbers; this step expects ${expect} (use min_length/max_length for text)`,
      'key',
    );
  }
  if (
    (rules.min_length !== undefined || rules.max_length !== undefined) &&
    ['number', 'yes_no', 'choice', 'date'].includes(expect)
  ) {
    problems.warn(
      source,
      [...path, rules.min_length !== undefined ? 'min_length' : 'max_length'],
      `min_length/max_length count characters; this step expects ${expect}`,
      'key',
    );
  }
}
