// The composer: reply or internal note, canned replies by "/shortcut", typing notices, and a WhatsApp template
// where the customer's 24-hour window is closed.
import { api, upload } from '../api.js';
import { locale, t } from '../i18n.js';
import { openConversation } from './conversation.js';
import { $, fail, h, state } from './state.js';

export function composer() {
  const textarea = h('textarea', {
    id: 'composer-text',
    rows: '3',
    'aria-describedby': 'composer-hint composer-lock',
  });
  const suggestions = h('ul', {
    id: 'canned-suggestions',
    class: 'suggestions',
    role: 'listbox',
    hidden: true,
    'aria-label': t('canned'),
  });
  const modeReply = h(
    'button',
    {
      type: 'button',
      id: 'mode-reply',
      class: 'mode',
      'aria-pressed': String(state.mode === 'reply'),
      onclick: () => setMode('reply'),
    },
    t('reply'),
  );
  const modeNote = h(
    'button',
    {
      type: 'button',
      id: 'mode-note',
      class: 'mode',
      'aria-pressed': String(state.mode === 'note'),
      onclick: () => setMode('note'),
    },
    t('note'),
  );
  const attachInput = h('input', {
    id: 'attach-file',
    type: 'file',
    class: 'visually-hidden attach-input',
    accept: 'image/jpeg,image/png,image/gif,image/webp,application/pdf',
  });
  attachInput.addEventListener('change', () => {
    const file = attachInput.files?.[0];
    attachInput.value = '';
    if (file) void attach(file);
  });
  // WhatsApp Cloud outside the 24-hour window: only an approved template gets through (loaded per conversation).
  const templateRow = h(
    'div',
    { id: 'composer-window', class: 'composer-window', hidden: true },
    h('span', { id: 'composer-window-hint', class: 'hint' }, t('windowClosed')),
    h(
      'label',
      { for: 'composer-template', class: 'template-label' },
      t('templateLabel'),
      h('select', { id: 'composer-template' }, h('option', { value: '' }, t('noTemplate'))),
    ),
    h('span', { id: 'composer-template-text', class: 'hint template-text' }),
  );
  const form = h(
    'form',
    { id: 'composer', class: `composer mode-${state.mode}` },
    templateRow,
    h('div', { class: 'composer-modes', role: 'group' }, modeReply, modeNote),
    h(
      'label',
      { for: 'composer-text', id: 'composer-label', class: 'visually-hidden' },
      state.mode === 'note' ? t('note') : t('reply'),
    ),
    suggestions,
    textarea,
    h(
      'div',
      { class: 'composer-foot' },
      attachInput,
      h('label', { for: 'attach-file', class: 'attach-label ghost', title: t('attach') }, t('attach')),
      h('span', { id: 'attachment', class: 'attachment' }),
      h('span', { id: 'composer-hint', class: 'hint' }, t('composerHint')),
      h('span', { id: 'composer-lock', class: 'hint lock' }),
      h('button', { type: 'submit', id: 'send', class: 'primary' }, t('send')),
    ),
  );
  let typingSent = 0;
  textarea.addEventListener('input', () => {
    updateSuggestions();
    if (state.mode === 'reply' && isMine() && Date.now() - typingSent > 4000 && textarea.value.trim()) {
      typingSent = Date.now();
      void api('POST', `/conversations/${state.selectedId}/typing`).catch(() => {});
    }
  });
  textarea.addEventListener('keydown', (event) => {
    if (!suggestions.hidden && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      moveSuggestion(event.key === 'ArrowDown' ? 1 : -1);
      return;
    }
    if (!suggestions.hidden && (event.key === 'Tab' || event.key === 'Enter') && !event.shiftKey) {
      const active = suggestions.querySelector('[aria-selected=true]');
      if (active) {
        event.preventDefault();
        applyCanned(active.dataset.text);
        return;
      }
    }
    if (event.key === 'Escape') {
      if (!suggestions.hidden) suggestions.hidden = true;
      else textarea.blur();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = expandShortcut(textarea.value).trim();
    const attachment = state.mode === 'reply' ? state.attachment : null;
    const template = state.mode === 'reply' ? chosenTemplate() : '';
    if (!text && !attachment && !template) return;
    const button = $('#send');
    button.disabled = true;
    try {
      await api('POST', `/conversations/${state.selectedId}/${state.mode === 'note' ? 'note' : 'reply'}`, {
        ...(text ? { text } : {}),
        ...(attachment ? { attachmentId: attachment.id } : {}),
        ...(template ? { whatsappTemplate: template } : {}),
      });
      textarea.value = '';
      if (template) $('#composer-template').value = '';
      if (attachment) setAttachment(null);
      updateSuggestions();
      await openConversation(state.selectedId, { keepFocus: true });
    } catch (error) {
      fail(error);
    } finally {
      button.disabled = false;
      renderComposerState();
      textarea.focus();
    }
  });
  return form;
}

export function isMine() {
  return (
    state.detail?.conversation.assignedAgentId === state.user.id &&
    state.detail?.conversation.status === 'agent'
  );
}

export function setMode(mode) {
  state.mode = mode;
  const form = $('#composer');
  form.className = `composer mode-${mode}`;
  $('#mode-reply').setAttribute('aria-pressed', String(mode === 'reply'));
  $('#mode-note').setAttribute('aria-pressed', String(mode === 'note'));
  $('#composer-label').textContent = mode === 'note' ? t('note') : t('reply');
  renderComposerState();
  $('#composer-text').focus();
}

export function renderComposerState() {
  const locked = state.mode === 'reply' && !isMine();
  const send = $('#send');
  if (!send) return;
  send.textContent = state.mode === 'note' ? t('addNote') : t('send');
  send.disabled = locked;
  $('#composer-lock').textContent = locked ? t('composerLocked') : '';
  void loadTemplates();
}

function chosenTemplate() {
  const select = $('#composer-template');
  return select && !$('#composer-window').hidden ? select.value : '';
}

/** Asks once per conversation whether its WhatsApp window is closed and which templates fit this customer. */
async function loadTemplates() {
  const row = $('#composer-window');
  const detail = state.detail;
  if (!row || !detail) return;
  const key = `${detail.conversation.id}:${detail.contact.lastInboundAt ?? ''}`;
  if (row.dataset.key === key) return;
  row.dataset.key = key;
  row.hidden = true;
  if (detail.conversation.channel !== 'whatsapp-cloud') return;
  let answer;
  try {
    answer = await api('GET', `/conversations/${detail.conversation.id}/templates`);
  } catch {
    return;
  }
  if (row.dataset.key !== key || answer.windowOpen !== false) return;
  const select = $('#composer-template');
  const texts = new Map(answer.templates.map((x) => [x.name, x.text]));
  select.replaceChildren(
    h('option', { value: '' }, t('noTemplate')),
    ...answer.templates.map((x) => h('option', { value: x.name }, `${x.name} (${x.language})`)),
  );
  select.onchange = () => {
    $('#composer-template-text').textContent = texts.get(select.value) ?? '';
  };
  $('#composer-template-text').textContent = '';
  row.hidden = false;
}

export function cannedFor(prefix) {
  const lang = state.detail?.contact.locale ?? locale();
  const byShortcut = new Map();
  for (const c of state.canned) {
    if (!c.shortcut.startsWith(prefix)) continue;
    const existing = byShortcut.get(c.shortcut);
    if (!existing || c.locale === lang) byShortcut.set(c.shortcut, c);
  }
  return [...byShortcut.values()].slice(0, 8);
}

export function updateSuggestions() {
  const textarea = $('#composer-text');
  const list = $('#canned-suggestions');
  const match = /^\/([a-z0-9_-]*)$/.exec(textarea.value);
  const found = match ? cannedFor(match[1]) : [];
  list.hidden = found.length === 0;
  list.replaceChildren(
    ...found.map((c, index) =>
      h(
        'li',
        {
          role: 'option',
          id: `canned-${c.id}`,
          'data-text': c.text,
          'aria-selected': String(index === 0),
          onclick: () => applyCanned(c.text),
        },
        h('strong', {}, `/${c.shortcut}`),
        ` ${c.text.slice(0, 80)}`,
      ),
    ),
  );
  textarea.setAttribute('aria-activedescendant', found[0] ? `canned-${found[0].id}` : '');
}

export function moveSuggestion(step) {
  const options = [...document.querySelectorAll('#canned-suggestions [role=option]')];
  const index = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
  const next = options[(index + step + options.length) % options.length];
  for (const o of options) o.setAttribute('aria-selected', String(o === next));
  $('#composer-text').setAttribute('aria-activedescendant', next?.id ?? '');
}

/**
 * Fills {{contact.firstName}}, {{contact.name}}, {{agent.name}} and {{agent.fullName}} so the agent reads what will
 * go out (the server fills the same way); an unknown name leaves no gap: "Hallo {{contact.firstName}}," → "Hallo,".
 */
export function fillVariables(text) {
  const contact = state.detail?.contact ?? {};
  const fullName = state.user?.displayName ?? '';
  const values = {
    'contact.firstName': contact.firstName ?? '',
    'contact.name': contact.replyName ?? '',
    'agent.name': fullName.trim().split(/\s+/)[0] ?? '',
    'agent.fullName': fullName,
  };
  return text.replace(
    /(\s*)\{\{\s*((?:contact|agent)\.(?:firstName|name|fullName))\s*\}\}/g,
    (whole, space, key) => {
      if (!(key in values)) return whole;
      const value = values[key].trim();
      return value ? `${space}${value}` : '';
    },
  );
}

export function applyCanned(text) {
  const textarea = $('#composer-text');
  textarea.value = fillVariables(text);
  $('#canned-suggestions').hidden = true;
  textarea.focus();
}

/** "/gruss" typed in full and sent: replaced by its text. */
export function expandShortcut(text) {
  const match = /^\/([a-z0-9_-]+)\s*$/.exec(text.trim());
  if (!match) return text;
  const found = cannedFor(match[1]).find((c) => c.shortcut === match[1]);
  return found ? fillVariables(found.text) : text;
}

/** Uploads the chosen file for the open conversation; it goes out with the next reply. */
async function attach(file) {
  const conversationId = state.selectedId;
  $('#attachment').textContent = t('uploading');
  try {
    const stored = await upload(`/conversations/${conversationId}/attachments`, file);
    if (state.selectedId !== conversationId) return;
    setAttachment(stored);
    $('#composer-text')?.focus();
  } catch (error) {
    setAttachment(null);
    fail(error);
  }
}

export function setAttachment(attachment) {
  state.attachment = attachment;
  const el = $('#attachment');
  if (!el) return;
  if (!attachment) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(
    h(
      'span',
      { class: 'attachment-chip' },
      t('attached', { name: attachment.fileName ?? '' }),
      h(
        'button',
        {
          type: 'button',
          class: 'ghost',
          'aria-label': t('removeAttachment'),
          onclick: () => setAttachment(null),
        },
        '×',
      ),
    ),
  );
}
