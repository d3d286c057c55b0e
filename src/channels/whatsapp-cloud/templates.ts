/**
 * The approved WhatsApp templates (`flows/whatsapp/templates.yaml`). Outside the 24-hour window WhatsApp Cloud
 * accepts only a template Meta approved beforehand; this registry names them, per language, and says where each
 * `{{1}}`, `{{2}}` … parameter comes from for a given contact (and event). A broadcast names a template, and
 * `use:` names those event reminders and change notices carry; they are filled in per recipient and the window
 * guard sends them instead of the free text where the window is closed.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Contact, TemplateReference } from '../../model/index.js';
import { parseYamlOrThrow, readYamlFileOrThrow } from '../../yaml/validated-yaml.js';

/** Meta's rule for template names: lowercase letters, digits and underscores. */
export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
/** Meta's language codes: `de`, `en`, `en_US`, `pt_BR`. */
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

/** Contact fields a parameter may take its value from. */
export const CONTACT_FIELDS = ['firstName', 'lastName', 'displayName', 'username'] as const;
const SOURCE =
  /^(contact\.(firstName|lastName|displayName|username|attributes\.[A-Za-z_][\w-]*)|event\.(title|date|place))$/;

const parameterSchema = z.union(
  [
    z.strictObject({
      from: z
        .string()
        .regex(
          SOURCE,
          'from is contact.firstName, contact.lastName, contact.displayName, contact.username, contact.attributes.<name>, or for event reminders event.title, event.date, event.place',
        ),
      /** WhatsApp refuses empty parameters, and not every contact has every field: a fallback is required. */
      fallback: z.string().trim().min(1, 'the fallback must not be empty').max(1024),
    }),
    z.strictObject({ text: z.string().trim().min(1, 'text must not be empty').max(1024) }),
  ],
  { error: 'a parameter is { from: contact.<field>, fallback: <text> } or { text: <fixed text> }' },
);
export type TemplateParameter = z.output<typeof parameterSchema>;

const templateSchema = z
  .strictObject({
    name: z
      .string()
      .regex(TEMPLATE_NAME, 'a template name is lowercase letters, digits and _ (as in WhatsApp Manager)'),
    language: z.string().regex(LANGUAGE, 'language is Meta’s code, e.g. de, en or en_US'),
    category: z.enum(['marketing', 'utility', 'authentication']).default('marketing'),
    /** The approved body text with {{1}} … placeholders, for the preview; what Meta shows is what it approved. */
    body: z.string().trim().min(1).max(1024),
    parameters: z.array(parameterSchema).max(20).default([]),
  })
  .superRefine((template, ctx) => {
    const used = new Set([...template.body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1])));
    const expected = template.parameters.length;
    const wanted = [...used].sort((a, b) => a - b);
    if (wanted.length !== expected || wanted.some((n, i) => n !== i + 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters'],
        message: `the body uses ${wanted.length === 0 ? 'no placeholders' : wanted.map((n) => `{{${n}}}`).join(', ')} but ${expected} parameter(s) are given; give one per placeholder, {{1}} first`,
      });
    }
  });
export type WhatsAppTemplate = z.output<typeof templateSchema>;

/** Which template the features use on their own: event reminders and change notices (moved, cancelled). */
const usesSchema = z
  .strictObject({
    event_reminder: z.string().regex(TEMPLATE_NAME).optional(),
    event_change: z.string().regex(TEMPLATE_NAME).optional(),
  })
  .default({});
export type TemplateUses = z.output<typeof usesSchema>;

export const templatesFileSchema = z
  .strictObject({ templates: z.array(templateSchema).default([]), use: usesSchema })
  .superRefine((file, ctx) => {
    for (const [key, name] of Object.entries(file.use)) {
      if (name !== undefined && !file.templates.some((t) => t.name === name))
        ctx.addIssue({
          code: 'custom',
          path: ['use', key],
          message: `template "${name}" is not defined in this file`,
        });
    }
    const seen = new Set<string>();
    file.templates.forEach((t, index) => {
      const key = `${t.name}/${t.language}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['templates', index, 'language'],
          message: `template "${t.name}" is defined twice for language ${t.language}`,
        });
      seen.add(key);
    });
  });

export interface TemplateSummary {
  name: string;
  category: WhatsAppTemplate['category'];
  languages: Array<{ language: string; body: string; parameters: TemplateParameter[] }>;
}

/** The registry: templates by name, each in one or more languages. */
export class TemplateRegistry {
  readonly #byName = new Map<string, WhatsAppTemplate[]>();

  constructor(
    readonly templates: readonly WhatsAppTemplate[],
    readonly path: string | null,
    readonly uses: TemplateUses = {},
  ) {
    for (const t of templates) this.#byName.set(t.name, [...(this.#byName.get(t.name) ?? []), t]);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  list(): TemplateSummary[] {
    return [...this.#byName.entries()].map(([name, variants]) => ({
      name,
      category: variants[0]!.category,
      languages: variants.map((v) => ({ language: v.language, body: v.body, parameters: v.parameters })),
    }));
  }

  /**
   * The variant for a contact's locale: the exact language (`en_US` for `en-US`), then its base language, then
   * `defaultLocale`'s, then the first one defined (a template in some language beats a message held forever).
   */
  variantFor(name: string, locale: string, defaultLocale: string): WhatsAppTemplate | null {
    const variants = this.#byName.get(name);
    if (!variants || variants.length === 0) return null;
    const exact = locale.replace('-', '_');
    const base = (l: string) => l.split(/[-_]/)[0] ?? l;
    return (
      variants.find((v) => v.language === exact) ??
      variants.find((v) => base(v.language) === base(locale)) ??
      variants.find((v) => base(v.language) === base(defaultLocale)) ??
      variants[0]!
    );
  }
}

export type TemplateContact = Pick<Contact, (typeof CONTACT_FIELDS)[number] | 'attributes'>;

/** What an event reminder fills in: the title and start in the recipient's language, the place or link. */
export interface TemplateEventContext {
  title: string;
  date: string;
  place: string | null;
}

function rawValue(from: string, contact: TemplateContact, event: TemplateEventContext | undefined): unknown {
  if (from.startsWith('event.')) return event?.[from.slice('event.'.length) as keyof TemplateEventContext];
  const path = from.slice('contact.'.length);
  return path.startsWith('attributes.')
    ? contact.attributes[path.slice('attributes.'.length)]
    : contact[path as (typeof CONTACT_FIELDS)[number]];
}

function parameterValue(
  parameter: TemplateParameter,
  contact: TemplateContact,
  event: TemplateEventContext | undefined,
): string {
  if ('text' in parameter) return parameter.text;
  const raw = rawValue(parameter.from, contact, event);
  const value =
    typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
  // WhatsApp refuses parameters with newlines, tabs or more than four spaces in a row.
  const clean = value
    .replace(/[\n\r\t]+/g, ' ')
    .replace(/ {4,}/g, '   ')
    .trim();
  return clean === '' ? parameter.fallback : clean;
}

/** The reference the WhatsApp adapter sends: name, language and the parameters filled for this contact. */
export function fillTemplate(
  template: WhatsAppTemplate,
  contact: TemplateContact,
  event?: TemplateEventContext,
): TemplateReference {
  return {
    name: template.name,
    language: template.language,
    parameters: template.parameters.map((p) => parameterValue(p, contact, event)),
  };
}

/** The body as this contact would read it, for the preview. */
export function templateText(template: WhatsAppTemplate, reference: TemplateReference): string {
  return template.body.replace(
    /\{\{(\d+)\}\}/g,
    (whole, n: string) => reference.parameters?.[Number(n) - 1] ?? whole,
  );
}

export const EMPTY_TEMPLATE_REGISTRY = new TemplateRegistry([], null);

/** Loads the file; a missing file is an empty registry (templates are optional), a broken one throws. */
export function loadTemplateRegistry(path: string): TemplateRegistry {
  if (!existsSync(path)) return new TemplateRegistry([], null);
  const file = readYamlFileOrThrow(templatesFileSchema, path);
  return new TemplateRegistry(file.templates, path, file.use);
}

export function parseTemplateRegistry(text: string, path = 'whatsapp/templates.yaml'): TemplateRegistry {
  const file = parseYamlOrThrow(templatesFileSchema, text, path);
  return new TemplateRegistry(file.templates, path, file.use);
}
