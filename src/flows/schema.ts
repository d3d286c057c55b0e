/**
 * The YAML flow language: the shape of `flows/*.yaml` and `flows/settings.yaml`.
 * Shape errors are reported by the loader with file:line:column; meaning errors (missing steps,
 * unknown actions, duplicate triggers) by the cross-file validator.
 */
import { z } from 'zod';

/** Flow, step and variable names: short, lowercase, readable in a payload and a Mermaid graph. */
export const IDENTIFIER = /^[a-z][a-z0-9_-]*$/;
const identifier = (what: string) =>
  z.string().regex(IDENTIFIER, `${what} must start with a lowercase letter and use only a-z, 0-9, _ and -`);

/** A text given once for every locale, or per locale: `{ de: "Hallo", en: "Hello" }`. */
export const localizedTextSchema = z.union([
  z.string().min(1, 'text must not be empty'),
  z.record(
    z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale keys look like de, en or de-AT'),
    z.string().min(1, 'text must not be empty'),
  ),
]);
export type LocalizedText = z.infer<typeof localizedTextSchema>;

/** A keyword list for every locale, or per locale. A single string is accepted as a list of one. */
const keywordListSchema = z
  .union([z.string(), z.array(z.string().min(1))])
  .transform((value) => (typeof value === 'string' ? [value] : value));
export const keywordsSchema = z.union([keywordListSchema, z.record(z.string(), keywordListSchema)]);
export type Keywords = z.infer<typeof keywordsSchema>;

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Where to go next. `goto` names a step of the same flow; `goto_flow` names another flow,
 * optionally with a step: `newsletter` or `newsletter.confirm`.
 */
const jumpFields = {
  goto: identifier('a step name').optional(),
  goto_flow: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/, 'goto_flow is a flow id, optionally with .step')
    .optional(),
};

/** A condition over variables: `{ var: vars.age, gte: 18 }`, combined with all/any/not. */
export type Condition =
  | {
      var: string;
      equals?: z.infer<typeof scalarSchema>;
      not_equals?: z.infer<typeof scalarSchema>;
      gt?: number;
      gte?: number;
      lt?: number;
      lte?: number;
      in?: Array<z.infer<typeof scalarSchema>>;
      contains?: string;
      matches?: string;
      exists?: boolean;
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z
      .strictObject({
        var: z.string().min(1),
        equals: scalarSchema.optional(),
        not_equals: scalarSchema.optional(),
        gt: z.number().optional(),
        gte: z.number().optional(),
        lt: z.number().optional(),
        lte: z.number().optional(),
        in: z.array(scalarSchema).optional(),
        contains: z.string().optional(),
        matches: z.string().optional(),
        exists: z.boolean().optional(),
      })
      .refine((c) => Object.keys(c).length > 1, {
        message: 'a condition needs a test besides var (equals, gt, in, exists, …)',
      }),
  ]),
);

export const buttonSchema = z
  .strictObject({
    label: localizedTextSchema,
    /** Stored in the step's `save` variable when chosen; defaults to the label in the default locale. */
    value: scalarSchema.optional(),
    /** A fixed payload (e.g. `MENU`) instead of the generated one; lets other flows trigger on it. */
    payload: z.string().min(1).max(64).optional(),
    /** A link button: opens the URL, sends nothing back. */
    url: z.string().url().optional(),
    set: z.record(z.string(), scalarSchema).optional(),
    ...jumpFields,
  })
  .refine((b) => !(b.goto && b.goto_flow), { message: 'a button has either goto or goto_flow, not both' });
export type ButtonDefinition = z.infer<typeof buttonSchema>;

export const EXPECT_KINDS = ['text', 'email', 'number', 'phone', 'date', 'yes_no', 'choice'] as const;
export type ExpectKind = (typeof EXPECT_KINDS)[number];

export const branchCaseSchema = z
  .strictObject({ when: conditionSchema.optional(), ...jumpFields, end: z.literal(true).optional() })
  .refine((c) => Boolean(c.goto || c.goto_flow || c.end), {
    message: 'a branch case needs goto, goto_flow or end: true',
  });

export const stepSchema = z
  .strictObject({
    /** Free-text note for the people who edit this flow; never shown to customers. */
    note: z.string().optional(),
    set: z.record(z.string(), scalarSchema).optional(),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]*$/, 'action names look like newsletter.subscribe')
      .optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    /** Next step per action outcome: `{ subscribed: thanks, already: already_in }`. */
    on: z.record(z.string(), identifier('a step name')).optional(),
    say: z.union([localizedTextSchema, z.array(localizedTextSchema).min(1)]).optional(),
    media: z
      .strictObject({
        url: z.string().url(),
        kind: z.enum(['image', 'audio', 'video', 'file']).default('image'),
        caption: localizedTextSchema.optional(),
      })
      .optional(),
    buttons: z.array(buttonSchema).min(1).optional(),
    ask: localizedTextSchema.optional(),
    expect: z.enum(EXPECT_KINDS).optional(),
    /** Variable the answer (or chosen button's value) is stored in, under `vars.`. */
    save: identifier('a variable name').optional(),
    validate: z
      .strictObject({
        min: z.number().optional(),
        max: z.number().optional(),
        pattern: z.string().optional(),
        min_length: z.number().int().nonnegative().optional(),
        max_length: z.number().int().positive().optional(),
      })
      .optional(),
    /** Re-prompt when the answer does not fit; a helpful default is used otherwise. */
    retry: localizedTextSchema.optional(),
    /**
     * The prompt must be answered: a question or another flow's keyword typed here is not handled as a
     * digression but re-prompted like any answer that does not fit.
     */
    strict: z.boolean().optional(),
    /** What the bot says to come back to this prompt after a digression (default: "Zurück zu meiner Frage: …"). */
    resume: localizedTextSchema.optional(),
    branch: z.array(branchCaseSchema).min(1).optional(),
    ...jumpFields,
    next: identifier('a step name').optional(),
    end: z.literal(true).optional(),
  })
  .superRefine((step, ctx) => {
    const jumps = [step.goto, step.goto_flow, step.next, step.end].filter((j) => j !== undefined);
    if (jumps.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'a step has at most one of goto, goto_flow, next and end' });
    }
    if (step.with && !step.action) ctx.addIssue({ code: 'custom', message: '"with" needs an "action"' });
    if (step.on && !step.action) ctx.addIssue({ code: 'custom', message: '"on" needs an "action"' });
    if (step.expect && !step.ask && !step.buttons) {
      ctx.addIssue({ code: 'custom', message: '"expect" needs an "ask" question' });
    }
    if (step.save && !step.ask && !step.buttons) {
      ctx.addIssue({ code: 'custom', message: '"save" needs an "ask" question or buttons' });
    }
    if ((step.strict !== undefined || step.resume !== undefined) && !step.ask && !step.buttons) {
      ctx.addIssue({
        code: 'custom',
        message: '"strict" and "resume" belong to a step that asks or offers buttons',
      });
    }
    if (step.expect === 'choice' && !step.buttons) {
      ctx.addIssue({ code: 'custom', message: 'expect: choice needs buttons to choose from' });
    }
  });
export type StepDefinition = z.infer<typeof stepSchema>;

export const triggersSchema = z.strictObject({
  /** Words or phrases that start this flow, in any locale or per locale. */
  keywords: keywordsSchema.optional(),
  /** Button payloads / postbacks that start this flow (e.g. `MENU`). */
  payloads: z.array(z.string().min(1).max(64)).optional(),
  /** Start this flow when someone opens the chat (`/start`, Get Started) without a payload we know. */
  start: z.boolean().optional(),
  /** Start this flow for start/referral payloads beginning with this prefix; the payload lands in `vars.start_payload`. */
  start_prefix: z.string().min(1).max(32).optional(),
  /** Catch every message no other flow or step understood. */
  fallback: z.boolean().optional(),
  /**
   * Answer a question the knowledge base knows when it is asked at another flow's prompt; when this flow
   * ends, the bot comes back to that prompt. Without such a flow the fallback flow answers.
   */
  question: z.boolean().optional(),
});
export type TriggersDefinition = z.infer<typeof triggersSchema>;

export const flowSchema = z.strictObject({
  id: identifier('a flow id'),
  title: z.string().optional(),
  description: z.string().optional(),
  triggers: triggersSchema.optional(),
  /** First step; defaults to the first step in the file. */
  start: identifier('a step name').optional(),
  steps: z
    .record(identifier('a step name'), stepSchema)
    .refine((steps) => Object.keys(steps).length > 0, { message: 'a flow needs at least one step' }),
});
export type FlowDefinition = z.infer<typeof flowSchema>;

/** `flows/settings.yaml`: what holds for every flow. */
export const flowSettingsSchema = z.strictObject({
  default_locale: z
    .string()
    .regex(/^[a-z]{2}$/)
    .default('de'),
  locales: z
    .array(z.string().regex(/^[a-z]{2}$/))
    .min(1)
    .default(['de', 'en']),
  /** Misunderstood inputs in one step before the fallback takes over. */
  max_misses: z.number().int().min(1).max(10).default(2),
  /**
   * Minutes of silence after which the customer's next message starts a new visit (`visit.returning`);
   * 30 when absent.
   */
  visit_timeout_minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .optional(),
  /** Flow that takes over after too many misses (often one that offers a person). */
  on_too_many_misses: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/)
    .optional(),
  /** Built-in texts the engine uses; every one has a sensible default. */
  texts: z
    .strictObject({
      reprompt: localizedTextSchema.optional(),
      choose_option: localizedTextSchema.optional(),
      invalid_email: localizedTextSchema.optional(),
      invalid_number: localizedTextSchema.optional(),
      invalid_phone: localizedTextSchema.optional(),
      invalid_date: localizedTextSchema.optional(),
      invalid_yes_no: localizedTextSchema.optional(),
      invalid_text: localizedTextSchema.optional(),
      not_understood: localizedTextSchema.optional(),
      resume_prompt: localizedTextSchema.optional(),
      media_image: localizedTextSchema.optional(),
      media_audio: localizedTextSchema.optional(),
      media_video: localizedTextSchema.optional(),
      media_file: localizedTextSchema.optional(),
      media_sticker: localizedTextSchema.optional(),
      media_location: localizedTextSchema.optional(),
    })
    .default({}),
});
export type FlowSettings = z.infer<typeof flowSettingsSchema>;

/** A loaded flow with the file it came from and the positions of its parts, for error messages. */
export interface LoadedFlow {
  definition: FlowDefinition;
  file: string;
  /** Step name → 1-based line:column of its key in the file. */
  stepPositions: Record<string, { line: number; column: number }>;
}

/** A validated, complete set of flows: the only thing the engine runs. */
export interface FlowSet {
  settings: FlowSettings;
  flows: ReadonlyMap<string, LoadedFlow>;
  /** When this set was loaded; shown by /readyz and the console. */
  loadedAt: Date;
}
