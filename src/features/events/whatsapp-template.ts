/**
 * The WhatsApp template an event reminder or change notice carries (named under `use:` in
 * flows/whatsapp/templates.yaml), filled for one recipient: their name fields, and the event's title, start and
 * place in their language. The outbox's window guard sends it instead of the text where the window is closed;
 * without one, such a reminder waits until the person writes again.
 */
import type { TemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import { fillTemplate } from '../../channels/whatsapp-cloud/templates.js';
import type { JsonValue, TemplateReference } from '../../model/index.js';
import { fromJson } from '../../store/json.js';
import type { EventRecord } from './records.js';
import { eventTitle, formatEventStart } from './texts.js';

export type EventTemplateKind = 'event_reminder' | 'event_change';

/** The contact columns a template may need. */
export interface TemplateRecipientRow {
  channel: string;
  locale: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  username: string | null;
  attributes: string;
}

export const TEMPLATE_RECIPIENT_COLUMNS = [
  'c.first_name as first_name',
  'c.last_name as last_name',
  'c.display_name as display_name',
  'c.username as username',
  'c.attributes as attributes',
] as const;

export type EventTemplateFor = (
  kind: EventTemplateKind,
  recipient: TemplateRecipientRow,
  event: EventRecord,
) => TemplateReference | null;

/** Builds the lookup from the current registry (read on every call, so an edited file applies at once). */
export function eventTemplates(
  templates: () => TemplateRegistry,
  defaultLocale: () => string,
): EventTemplateFor {
  return (kind, recipient, event) => {
    if (recipient.channel !== 'whatsapp-cloud') return null;
    const registry = templates();
    const name = registry.uses[kind];
    if (!name) return null;
    const variant = registry.variantFor(name, recipient.locale, defaultLocale());
    if (!variant) return null;
    return fillTemplate(
      variant,
      {
        firstName: recipient.first_name,
        lastName: recipient.last_name,
        displayName: recipient.display_name,
        username: recipient.username,
        attributes: fromJson<Record<string, JsonValue>>(recipient.attributes, {}),
      },
      {
        title: eventTitle(event, recipient.locale),
        date: formatEventStart(event.startsAt, event.timeZone, recipient.locale),
        place: event.place ?? event.onlineUrl,
      },
    );
  };
}
