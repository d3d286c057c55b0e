/**
 * Renders buttons as numbered text lines for channels without buttons (WhatsApp Web, SMS-like channels) or
 * when a message carries more buttons than the platform allows. The engine maps a typed number back to the
 * button; this module only renders. Hints such as "Antworte mit der Nummer" are the engine's job.
 */
import type { OutboundButton } from '../../model/index.js';
import { truncateLabel } from './labels.js';

export interface NumberedOptionsOptions {
  /** Longest label before it is shortened with "…" (default: no limit). */
  maxLabelLength?: number;
  /** First number (default 1). */
  startAt?: number;
}

/**
 * `1) Label` per button, one per line. Link buttons show their URL after the label (`2) Shop: https://…`)
 * so the reader can open it; they still get a number so the numbering matches the button order.
 */
export function renderNumberedOptions(
  buttons: readonly OutboundButton[],
  options: NumberedOptionsOptions = {},
): string {
  const start = options.startAt ?? 1;
  return buttons
    .map((button, index) => {
      const label = options.maxLabelLength
        ? truncateLabel(button.label, options.maxLabelLength)
        : button.label.trim();
      const line = `${start + index}) ${label}`;
      return button.url ? `${line}: ${button.url}` : line;
    })
    .join('\n');
}

/** The text followed by a blank line and the numbered options; either part may be missing. */
export function appendNumberedOptions(
  text: string | undefined,
  buttons: readonly OutboundButton[] | undefined,
  options: NumberedOptionsOptions = {},
): string {
  const body = text?.trim() ?? '';
  if (!buttons || buttons.length === 0) return body;
  const list = renderNumberedOptions(buttons, options);
  return body ? `${body}\n\n${list}` : list;
}

/** The text with a link appended on its own line (`Label: url`, or the bare URL without a label). */
export function appendLink(
  text: string | undefined,
  link: { url: string; label?: string } | undefined,
): string {
  const body = text?.trim() ?? '';
  if (!link) return body;
  const line = link.label ? `${link.label.trim()}: ${link.url}` : link.url;
  return body ? `${body}\n${line}` : line;
}
