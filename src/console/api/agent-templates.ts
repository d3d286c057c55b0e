/**
 * WhatsApp templates for an agent's reply: outside the 24-hour window WhatsApp Cloud delivers only approved
 * templates, so an agent answering a customer who wrote two days ago picks one (flows/whatsapp/templates.yaml),
 * filled for this customer. The window guard sends the template where the window is closed and the agent's text
 * where it is open; the transcript records what was chosen.
 */
import type { TemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import { fillTemplate, templateText } from '../../channels/whatsapp-cloud/templates.js';
import type { Contact, TemplateReference } from '../../model/index.js';
import type { Store } from '../../store/database.js';
import { getContact } from '../../store/repositories/contacts.js';

export interface AgentTemplateSource {
  templates: () => TemplateRegistry;
  defaultLocale: () => string;
}

const WINDOW_MS = 24 * 3_600_000;

export interface ConversationTemplates {
  /** Whether the customer's 24-hour window is open now; null for channels without a window rule here. */
  windowOpen: boolean | null;
  /** The templates this customer would get, in their language, filled in. */
  templates: Array<{ name: string; language: string; text: string }>;
}

function filled(registry: TemplateRegistry, name: string, contact: Contact, defaultLocale: string) {
  const variant = registry.variantFor(name, contact.locale, defaultLocale);
  if (!variant) return null;
  const reference = fillTemplate(variant, contact);
  return { reference, text: templateText(variant, reference) };
}

export async function templatesForConversation(
  store: Store,
  source: AgentTemplateSource | undefined,
  conversation: { contactId: string; channel: string; windowExpiresAt: number | null },
  now: Date,
): Promise<ConversationTemplates> {
  if (conversation.channel !== 'whatsapp-cloud') return { windowOpen: null, templates: [] };
  const contact = await getContact(store.db, conversation.contactId);
  const lastInbound = contact?.lastInboundAt?.getTime() ?? null;
  // The window guard's rule: the conversation's window, else 24 hours after the last message.
  const end = conversation.windowExpiresAt ?? (lastInbound === null ? null : lastInbound + WINDOW_MS);
  const windowOpen = end !== null && now.getTime() < end;
  if (!contact || !source) return { windowOpen, templates: [] };
  const registry = source.templates();
  const templates = registry.names().flatMap((name) => {
    const one = filled(registry, name, contact, source.defaultLocale());
    return one ? [{ name, language: one.reference.language, text: one.text }] : [];
  });
  return { windowOpen, templates };
}

/** The template reference and its text for this customer, or null when the name is unknown. */
export async function agentTemplate(
  store: Store,
  source: AgentTemplateSource | undefined,
  contactId: string,
  name: string,
): Promise<{ reference: TemplateReference; text: string } | null> {
  if (!source) return null;
  const contact = await getContact(store.db, contactId);
  if (!contact) return null;
  return filled(source.templates(), name, contact, source.defaultLocale());
}
