/**
 * Compares `flows/whatsapp/templates.yaml` with the templates Meta has for the business account
 * (`GET /<WABA id>/message_templates`): which of ours are approved, pending, rejected or unknown to Meta, whose
 * body differs from the approved one, and which approved templates are not in the file yet (with a YAML entry to
 * copy; its parameters are left for the marketer to map, so the file refuses it until they are). Nothing is
 * written: the file stays the one place that says what Plausch sends.
 */
import { z } from 'zod';
import type { Config } from '../../config.js';
import { GraphApiClient } from '../meta/graph-client.js';
import type { TemplateRegistry } from './templates.js';

const componentSchema = z.looseObject({ type: z.string(), text: z.string().optional() });
const templateSchema = z.looseObject({
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string().optional(),
  components: z.array(componentSchema).default([]),
});
const pageSchema = z.looseObject({
  data: z.array(templateSchema),
  paging: z
    .looseObject({
      cursors: z.looseObject({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

export interface MetaTemplate {
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED … as Meta says. */
  status: string;
  category: string | null;
  body: string | null;
}

export type TemplateFetcher = () => Promise<MetaTemplate[]>;

/** At most this many pages of 100: a business account with more templates than that is not a real case. */
const MAX_PAGES = 20;

export async function fetchMetaTemplates(
  graph: Pick<GraphApiClient, 'get'>,
  businessAccountId: string,
): Promise<MetaTemplate[]> {
  const found: MetaTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = pageSchema.safeParse(
      await graph.get(`/${businessAccountId}/message_templates`, {
        fields: 'name,language,status,category,components',
        limit: '100',
        ...(after ? { after } : {}),
      }),
    );
    if (!answer.success)
      throw new Error(`Meta's template list has an unexpected shape: ${answer.error.issues[0]?.message}`);
    for (const t of answer.data.data) {
      found.push({
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category ?? null,
        body: t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? null,
      });
    }
    after = answer.data.paging?.next ? answer.data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  return found;
}

/** The fetcher for the configured account, or null when WHATSAPP_CLOUD_TOKEN or WHATSAPP_BUSINESS_ACCOUNT_ID is missing. */
export function createTemplateFetcher(config: Config, fetchImpl?: typeof fetch): TemplateFetcher | null {
  const token = config.WHATSAPP_CLOUD_TOKEN;
  const account = config.WHATSAPP_BUSINESS_ACCOUNT_ID;
  if (!token || !account) return null;
  const graph = new GraphApiClient({
    root: config.META_GRAPH_API_ROOT,
    version: config.META_GRAPH_API_VERSION,
    accessToken: token,
    tokenPlacement: 'bearer',
    ...(config.META_APP_SECRET ? { appSecret: config.META_APP_SECRET } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  return () => fetchMetaTemplates(graph, account);
}

export interface TemplateCheckRow {
  name: string;
  language: string;
  /** In flows/whatsapp/templates.yaml. */
  inFile: boolean;
  /** Meta's status, or null when Meta does not know this name and language. */
  status: string | null;
  /** False when the file's body is not the approved one (the preview would lie); null when not comparable. */
  bodyMatches: boolean | null;
  /** What is wrong (the console words it in the marketer's language), or null when all is well. */
  problem: TemplateProblem | null;
}

/**
 * `unknown-at-meta`: no template of this name and language (a typo, or not submitted; sends would fail);
 * `not-approved`: pending, rejected, paused …; `body-differs`: the file's body is not the approved text, so the
 * preview would show something else; `missing-in-file`: approved at Meta but not usable until it is in the file.
 */
export type TemplateProblem = 'unknown-at-meta' | 'not-approved' | 'body-differs' | 'missing-in-file';

export interface TemplateCheck {
  rows: TemplateCheckRow[];
  /** Entries for approved templates that are not in the file yet. */
  suggestedYaml: string | null;
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

export function compareTemplates(registry: TemplateRegistry, meta: readonly MetaTemplate[]): TemplateCheck {
  const atMeta = new Map(meta.map((t) => [`${t.name}/${t.language}`, t]));
  const rows: TemplateCheckRow[] = [];
  const inFile = new Set<string>();
  for (const summary of registry.list()) {
    for (const variant of summary.languages) {
      const key = `${summary.name}/${variant.language}`;
      inFile.add(key);
      const remote = atMeta.get(key);
      const bodyMatches = remote?.body ? normalize(remote.body) === normalize(variant.body) : null;
      rows.push({
        name: summary.name,
        language: variant.language,
        inFile: true,
        status: remote?.status ?? null,
        bodyMatches,
        problem: !remote
          ? 'unknown-at-meta'
          : remote.status !== 'APPROVED'
            ? 'not-approved'
            : bodyMatches === false
              ? 'body-differs'
              : null,
      });
    }
  }
  const missing = meta.filter((t) => t.status === 'APPROVED' && !inFile.has(`${t.name}/${t.language}`));
  for (const t of missing) {
    rows.push({
      name: t.name,
      language: t.language,
      inFile: false,
      status: t.status,
      bodyMatches: null,
      problem: 'missing-in-file',
    });
  }
  const suggestedYaml =
    missing.length === 0
      ? null
      : missing
          .map((t) => {
            const body = t.body ?? '';
            const count = new Set([...body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;
            const lines = [
              `  - name: ${t.name}`,
              `    language: ${t.language}`,
              `    category: ${(t.category ?? 'marketing').toLowerCase()}`,
              `    body: ${JSON.stringify(body)}`,
            ];
            if (count > 0) {
              lines.push(
                `    parameters:   # map each of the ${count} placeholder(s), in order: { from: contact.firstName, fallback: "…" } or { text: "…" }`,
              );
            }
            return lines.join('\n');
          })
          .join('\n');
  return { rows, suggestedYaml };
}
