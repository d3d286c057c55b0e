// Keyboard shortcuts of the inbox: / search, j/k next/previous, t take over, r reply.

import { isMine } from './composer.js';
import { openConversation, takeOver } from './conversation.js';
import { $, state } from './state.js';

document.addEventListener('keydown', (event) => {
  if (!state.user || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
    return;
  if (event.key === '/') {
    event.preventDefault();
    $('#search')?.focus();
  } else if (event.key === 'j' || event.key === 'k') {
    const index = state.items.findIndex((i) => i.id === state.selectedId);
    const next =
      state.items[Math.min(state.items.length - 1, Math.max(0, index + (event.key === 'j' ? 1 : -1)))];
    if (next) {
      void openConversation(next.id, { keepFocus: true });
      document.querySelector(`.conversation-item[data-id="${next.id}"]`)?.focus();
    }
  } else if (event.key === 't' && state.detail && !isMine()) {
    void takeOver();
  } else if (event.key === 'r' && state.detail) {
    event.preventDefault();
    $('#composer-text')?.focus();
  }
});
