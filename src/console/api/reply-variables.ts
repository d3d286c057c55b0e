/**
 * Variables in agents' replies and canned replies: {{contact.firstName}}, {{contact.name}}, {{agent.name}}
 * (the agent's first name, as customers see agents) and {{agent.fullName}}. The console fills them when a canned
 * reply is inserted, so the agent reads what goes out; the reply route fills whatever is left. An unknown
 * contact name leaves no gap: "Hallo {{contact.firstName}}," becomes "Hallo,". Unknown variables stay as typed.
 */

export interface ReplyVariables {
  contact: { firstName: string; name: string };
  agent: { name: string; fullName: string };
}

const PATTERN = /(\s*)\{\{\s*(contact|agent)\.(firstName|name|fullName)\s*\}\}/g;

export function fillReplyVariables(text: string, vars: ReplyVariables): string {
  return text.replace(PATTERN, (whole, space: string, scope: 'contact' | 'agent', key: string) => {
    const group = vars[scope] as Record<string, string>;
    if (!(key in group)) return whole;
    const value = group[key]?.trim() ?? '';
    return value ? `${space}${value}` : '';
  });
}

/** The contact's own name for {{contact.name}}: nothing for anonymous contacts (no "#hZ06" in a greeting). */
export function contactNameForReplies(row: {
  agent_name?: string | null;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
}): string {
  return (
    row.agent_name?.trim() ||
    row.display_name?.trim() ||
    [row.first_name, row.last_name].filter(Boolean).join(' ').trim()
  );
}
