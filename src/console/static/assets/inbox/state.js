// Shared state of the inbox panes and the small helpers every pane uses (element builder, toast, errors).
import { ApiError } from '../api.js';
import { locale, t } from '../i18n.js';

export const state = {
  user: null,
  capabilities: [],
  view: 'waiting',
  page: 'inbox',
  search: '',
  items: [],
  selectedId: null,
  detail: null,
  messages: [],
  nextBefore: null,
  canned: [],
  colleagues: [],
  /** available | away: the assignment rules skip away agents. */
  availability: 'available',
  flows: [],
  mode: 'reply',
  /** An upload waiting to go out with the next reply: { id, fileName, kind }. */
  attachment: null,
  /** Conversations with news the agent has not opened yet (new waiting, customer replied). */
  unread: new Set(),
  /** The agent's own conversations, to tell which customer replies concern them. */
  mine: [],
  live: 'connecting',
  serverOffset: 0,
};

/** Creates an element: h('button', { class: 'x', onclick }, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector) => document.querySelector(selector);

export function toast(message, kind = 'info') {
  const el = $('#toast');
  el.textContent = message;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

/** Set by the shell: what to do when the session ended (show the sign-in page). */
export const hooks = { onSignedOut: () => {} };

export function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    state.user = null;
    hooks.onSignedOut();
    return;
  }
  toast(t('error', { e: error.message }), 'error');
}

export function can(capability) {
  return state.capabilities.includes(capability);
}

/** Listeners of screens (Preact bundles) for live notices. */
export const liveListeners = new Set();

export function reasonLabel(reason) {
  const labels = {
    de: {
      customer_request: 'wünscht Mensch',
      complaint: 'Beschwerde',
      too_many_misses: 'Bot versteht nicht',
      agent_takeover: 'übernommen',
      assigned: 'zugewiesen',
    },
    en: {
      customer_request: 'asked for a person',
      complaint: 'complaint',
      too_many_misses: 'bot did not understand',
      agent_takeover: 'taken over',
      assigned: 'assigned',
    },
  };
  return labels[locale()][reason] ?? reason;
}

export function authorLabel(author) {
  return author === 'contact'
    ? t('customer')
    : author === 'bot'
      ? t('bot')
      : author === 'agent'
        ? t('agent')
        : author;
}

export const now = () => Date.now() + state.serverOffset;
