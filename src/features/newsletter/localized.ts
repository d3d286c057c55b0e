/** Newsletter and event texts: the shared locale rule, and `{name}` placeholders. */

export { type Localized, pickLocalized } from '../../text/localized.js';

/** Replaces `{name}` placeholders; unknown names stay visible so a missing value is noticed, not hidden. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
