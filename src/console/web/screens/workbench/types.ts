/** What the workbench's API answers with, shared by its panes, and the texts function they all take. */
import type { textsFor } from '../../shared/texts.js';
import type { TEXTS } from './texts.js';

export interface FileSummary {
  path: string;
  kind: string;
  flowId?: string;
  errors: number;
  warnings: number;
  triggers: string[];
  lastChange?: { at: string; by: string | null };
}

export interface Version {
  id: string;
  author: { name: string } | null;
  createdAt: string;
  message: string;
}

export interface Bubble {
  style: string;
  text?: string;
  buttons?: string[][];
  listButton?: string;
  links?: Array<{ label: string; url: string }>;
}

export interface Turn {
  messages: Array<{ text: string; buttons: string[]; channel: { bubbles: Bubble[]; refused?: string } }>;
  state: { flowId: string | null; stepId: string | null; awaiting: string | null };
  vars: Record<string, unknown>;
  problem?: string;
}

export interface TestResult {
  name: string;
  passed: boolean;
  failure?: string;
  transcript: string[];
}

export type T = ReturnType<typeof textsFor<keyof (typeof TEXTS)['de']>>;

/** The unsaved edit of the open file, for the endpoints that work on the draft set. */
export type DraftsOf = () => Record<string, string>;
