/**
 * The actions every installation has, whatever features run: switch the contact's language, tag the
 * contact, remember something about them. They only describe what should change (effects); the runtime
 * stores it after the turn.
 */
import { z } from 'zod';
import type { ActionDefinition, ActionRegistry } from './actions.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const tagName = z.string().trim().min(1).max(64);
const varName = z.string().regex(/^[a-z_][a-z0-9_]*$/i, 'variable names use letters, digits and _');

export const setLocaleAction: ActionDefinition<{ locale: string }> = {
  name: 'contact.set_locale',
  summary: 'switch the language the bot speaks with this contact',
  args: z.strictObject({ locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale looks like de or en') }),
  outcomes: ['ok'],
  async run({ locale }) {
    return { outcome: 'ok', effects: [{ kind: 'set-locale', locale }] };
  },
};

export const tagContactAction: ActionDefinition<{
  add?: string[] | undefined;
  remove?: string[] | undefined;
}> = {
  name: 'contact.tag',
  summary: 'add or remove tags on the contact (for segments and the inbox)',
  args: z
    .strictObject({
      add: z
        .union([tagName, z.array(tagName)])
        .optional()
        .transform(toList),
      remove: z
        .union([tagName, z.array(tagName)])
        .optional()
        .transform(toList),
    })
    .refine((a) => (a.add?.length ?? 0) + (a.remove?.length ?? 0) > 0, {
      message: 'give tags to add or remove',
    }),
  outcomes: ['ok'],
  async run({ add, remove }) {
    return {
      outcome: 'ok',
      effects: [
        { kind: 'tag-contact', ...(add?.length ? { add } : {}), ...(remove?.length ? { remove } : {}) },
      ],
    };
  },
};

export const rememberAction: ActionDefinition<{
  attributes: Record<string, string | number | boolean | null>;
}> = {
  name: 'contact.remember',
  summary: 'store attributes on the contact, kept across conversations',
  args: z.strictObject({
    attributes: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'attribute names use a-z, 0-9 and _'), scalar)
      .refine((a) => Object.keys(a).length > 0, { message: 'give at least one attribute' }),
  }),
  outcomes: ['ok'],
  async run({ attributes }) {
    return { outcome: 'ok', effects: [{ kind: 'remember', attributes }] };
  },
};

/** What replaces a forgotten value in the transcript and the stored inbound events. */
export const FORGOTTEN_MARKER = '[entfernt]';

export const forgetAction: ActionDefinition<{ vars: string[] }> = {
  name: 'conversation.forget',
  summary:
    'remove variables from the conversation and redact the customer messages that contained their values',
  args: z.strictObject({
    vars: z.union([varName, z.array(varName).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
  }),
  outcomes: ['ok'],
  async run({ vars }, context) {
    // The values as the customer typed them are what the transcript holds; numbers and dates were parsed
    // from the text, so only string values can be found in it (a parsed 12.5 may have been typed "12,5").
    const values = vars
      .map((name) => context.vars[name])
      .filter((value): value is string => typeof value === 'string' && value.trim().length >= 3)
      .map((value) => value.trim());
    return {
      outcome: 'ok',
      unset: vars,
      effects:
        values.length > 0
          ? [{ kind: 'forget-input', values: [...new Set(values)], marker: FORGOTTEN_MARKER }]
          : [],
    };
  },
};

function toList(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

export function registerCoreActions(registry: ActionRegistry): ActionRegistry {
  return registry
    .register(setLocaleAction as ActionDefinition<unknown>)
    .register(tagContactAction as ActionDefinition<unknown>)
    .register(rememberAction as ActionDefinition<unknown>)
    .register(forgetAction as ActionDefinition<unknown>);
}
