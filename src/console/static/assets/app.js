// The console front end: sign-in, inbox (queue and lists), conversation view with composer, contact panel,
// metrics. Plain ES modules, no build step. Live updates come over Server-Sent Events; the views refetch.
// Further screens (results, workbench, …) are Preact bundles listed in screens.js and mounted into the shell.
import { ApiError, api, setCsrfToken } from './api.js';
import { clock, duration, initialLocale, locale, setLocale, t } from './i18n.js';
import { SCREENS } from './screens.js';

const state = {
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
  flows: [],
  mode: 'reply',
  live: 'connecting',
  serverOffset: 0,
};

/** Creates an element: h('button', { class: 'x', onclick }, 'text', child). */
function h(tag, attrs = {}, ...children) {
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

const $ = (selector) => document.querySelector(selector);

function toast(message, kind = 'info') {
  const el = $('#toast');
  el.textContent = message;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    state.user = null;
    renderLogin();
    return;
  }
  toast(t('error', { e: error.message }), 'error');
}

// ---------- sign-in ----------

function renderLogin(message = '') {
  const app = $('#app');
  app.replaceChildren();
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert' }, message);
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, t('appName')),
    h('h2', {}, t('signInTitle')),
    h('label', { for: 'login-email' }, t('email')),
    h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true }),
    h('label', { for: 'login-password' }, t('password')),
    h('input', {
      id: 'login-password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
    languageSwitch(),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    button.textContent = t('signingIn');
    try {
      const result = await api('POST', '/login', { email: form.email.value, password: form.password.value });
      setCsrfToken(result.csrfToken);
      state.user = result.user;
      await startInbox();
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
      button.textContent = t('signIn');
      form.password.focus();
    }
  });
  app.append(h('main', { class: 'login-page' }, form));
  form.email.focus();
}

function languageSwitch() {
  const select = h(
    'select',
    { id: 'language', 'aria-label': t('language') },
    h('option', { value: 'de', selected: locale() === 'de' }, 'Deutsch'),
    h('option', { value: 'en', selected: locale() === 'en' }, 'English'),
  );
  select.addEventListener('change', () => {
    setLocale(select.value);
    if (state.user) renderShell();
    else renderLogin();
  });
  return select;
}

// ---------- shell ----------

async function startInbox() {
  const [me, teams, canned, colleagues] = await Promise.all([
    api('GET', '/me'),
    api('GET', '/teams'),
    api('GET', '/canned-replies'),
    api('GET', '/colleagues'),
  ]);
  state.capabilities = me.capabilities ?? [];
  if (!can('inbox') && state.page === 'inbox') state.page = visibleScreens()[0]?.id ?? 'inbox';
  state.flows = teams.flows;
  state.canned = canned.items;
  state.colleagues = colleagues.items;
  renderShell();
  connectLive();
}

function can(capability) {
  return state.capabilities.includes(capability);
}

function visibleScreens() {
  return SCREENS.filter((screen) => can(screen.needs));
}

function renderShell() {
  const app = $('#app');
  unmountScreen();
  app.replaceChildren();
  const isSupervisor = can('supervise');
  const header = h(
    'header',
    { class: 'topbar' },
    h('h1', { class: 'brand' }, t('appName')),
    h(
      'nav',
      { 'aria-label': t('views') },
      can('inbox')
        ? h(
            'button',
            {
              type: 'button',
              class: 'nav',
              'aria-current': state.page === 'inbox' ? 'page' : null,
              onclick: () => switchPage('inbox'),
            },
            t('inbox'),
          )
        : null,
      ...visibleScreens().map((screen) =>
        h(
          'button',
          {
            type: 'button',
            class: 'nav',
            'data-screen': screen.id,
            'aria-current': state.page === screen.id ? 'page' : null,
            onclick: () => switchPage(screen.id),
          },
          screen.label[locale()] ?? screen.label.de,
        ),
      ),
      isSupervisor
        ? h(
            'button',
            {
              type: 'button',
              class: 'nav',
              'aria-current': state.page === 'metrics' ? 'page' : null,
              onclick: () => switchPage('metrics'),
            },
            t('metrics'),
          )
        : null,
      isSupervisor
        ? h(
            'button',
            {
              type: 'button',
              class: 'nav',
              'aria-current': state.page === 'settings' ? 'page' : null,
              onclick: () => switchPage('settings'),
            },
            t('settings'),
          )
        : null,
    ),
    h('span', { id: 'live', class: 'live', role: 'status' }),
    h('span', { class: 'who' }, `${state.user.displayName} · ${state.user.role}`),
    languageSwitch(),
    h('button', { type: 'button', class: 'ghost', onclick: signOut }, t('signOut')),
  );
  app.append(header);
  const screen = visibleScreens().find((s) => s.id === state.page);
  if (screen) {
    const main = h('main', { id: `screen-${screen.id}`, class: 'screen' });
    app.append(main);
    void mountScreen(screen, main);
  } else if (state.page === 'metrics') {
    app.append(h('main', { id: 'metrics', class: 'metrics' }));
    void renderMetrics();
  } else if (state.page === 'settings') {
    app.append(h('main', { id: 'settings', class: 'metrics' }));
    void renderSettings();
  } else {
    app.append(
      h(
        'div',
        { class: 'inbox' },
        h('nav', { id: 'list-pane', class: 'pane list-pane', 'aria-label': t('conversations') }),
        h('main', { id: 'conversation-pane', class: 'pane conversation-pane' }),
        h('aside', { id: 'contact-pane', class: 'pane contact-pane', 'aria-label': t('contact') }),
      ),
    );
    renderListPane();
    renderConversation();
    void refreshList();
    if (state.selectedId) void openConversation(state.selectedId, { keepFocus: true });
  }
  renderLive();
}

function switchPage(page) {
  state.page = page;
  renderShell();
}

// ---------- screens (Preact bundles) ----------

const liveListeners = new Set();
let unmountCurrent = null;

function unmountScreen() {
  const unmount = unmountCurrent;
  unmountCurrent = null;
  if (unmount) unmount();
}

function ensureScreenStyles(screen) {
  if (!screen.css || document.querySelector(`link[data-screen-css="${screen.id}"]`)) return;
  document.head.append(
    h('link', {
      rel: 'stylesheet',
      href: `/console/assets/screens/${screen.id}.css`,
      'data-screen-css': screen.id,
    }),
  );
}

async function mountScreen(screen, el) {
  ensureScreenStyles(screen);
  el.append(h('p', { class: 'boot' }, t('loading')));
  let module;
  try {
    module = await import(`/console/assets/screens/${screen.id}.js`);
  } catch (error) {
    el.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, t('error', { e: error.message })));
    return;
  }
  // The user may have moved on while the bundle loaded.
  if (!el.isConnected) return;
  el.replaceChildren();
  unmountCurrent = module.mount(el, {
    user: state.user,
    capabilities: state.capabilities,
    locale: locale(),
    api,
    onLive(listener) {
      liveListeners.add(listener);
      return () => liveListeners.delete(listener);
    },
    toast,
    navigate: switchPage,
  });
}

async function signOut() {
  await api('POST', '/logout').catch(() => {});
  state.user = null;
  state.selectedId = null;
  source?.close();
  renderLogin();
}

// ---------- list ----------

const VIEWS = ['waiting', 'mine', 'open', 'closed'];

function renderListPane() {
  const pane = $('#list-pane');
  const search = h('input', {
    id: 'search',
    type: 'search',
    placeholder: t('searchPlaceholder'),
    value: state.search,
    autocomplete: 'off',
  });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.search = search.value;
      void refreshList();
    }, 250);
  });
  pane.replaceChildren(
    h(
      'div',
      { class: 'tabs', role: 'group', 'aria-label': t('views') },
      VIEWS.map((view) =>
        h(
          'button',
          {
            type: 'button',
            class: 'tab',
            'data-view': view,
            'aria-pressed': String(state.view === view),
            onclick: () => {
              state.view = view;
              renderListPane();
              void refreshList();
            },
          },
          t(view),
          view === 'waiting' ? h('span', { class: 'count', id: 'waiting-count' }) : null,
        ),
      ),
    ),
    h('label', { for: 'search', class: 'visually-hidden' }, t('search')),
    search,
    h('ul', { id: 'conversation-list', class: 'conversation-list' }),
  );
  renderList();
}

async function refreshList() {
  try {
    const query = new URLSearchParams({ view: state.view, ...(state.search ? { q: state.search } : {}) });
    const [result, waiting] = await Promise.all([
      api('GET', `/conversations?${query}`),
      state.view === 'waiting' && !state.search ? null : api('GET', '/conversations?view=waiting'),
    ]);
    state.serverOffset = result.now - Date.now();
    state.items = result.items;
    const count = (waiting ?? result).items.length;
    const badge = $('#waiting-count');
    if (badge) badge.textContent = count > 0 ? String(count) : '';
    renderList();
  } catch (error) {
    fail(error);
  }
}

function renderList() {
  const list = $('#conversation-list');
  if (!list) return;
  if (state.items.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, t('noConversations')));
    return;
  }
  list.replaceChildren(
    ...state.items.map((item) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `conversation-item status-${item.status}`,
            'data-id': item.id,
            'aria-current': item.id === state.selectedId ? 'true' : null,
            onclick: () => openConversation(item.id),
          },
          h(
            'span',
            { class: 'item-top' },
            h('strong', { class: 'item-name' }, item.contactName),
            h('span', { class: `badge channel channel-${item.channel}` }, item.channel),
          ),
          h(
            'span',
            { class: 'item-meta' },
            h('span', { class: `badge status status-${item.status}` }, t(`status_${item.status}`)),
            item.reason ? h('span', { class: 'reason' }, reasonLabel(item.reason)) : null,
            item.status === 'queued' && item.queuedAt
              ? h(
                  'span',
                  { class: 'waiting', 'data-since': item.queuedAt },
                  t('waitingFor', { t: duration(now() - item.queuedAt) }),
                )
              : null,
            item.status === 'agent' && item.assignedAgentName
              ? h(
                  'span',
                  { class: 'owner' },
                  item.assignedAgentId === state.user.id
                    ? t('ownedByYou')
                    : t('ownedBy', { name: item.assignedAgentName }),
                )
              : null,
          ),
          item.lastMessage
            ? h(
                'span',
                { class: 'preview' },
                `${authorLabel(item.lastMessage.author)}: ${item.lastMessage.text ?? '…'}`,
              )
            : null,
        ),
      ),
    ),
  );
}

function reasonLabel(reason) {
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

function authorLabel(author) {
  return author === 'contact'
    ? t('customer')
    : author === 'bot'
      ? t('bot')
      : author === 'agent'
        ? t('agent')
        : author;
}

const now = () => Date.now() + state.serverOffset;

// ---------- conversation ----------

async function openConversation(id, options = {}) {
  state.selectedId = id;
  for (const el of document.querySelectorAll('.conversation-item'))
    el.setAttribute('aria-current', el.dataset.id === id ? 'true' : 'false');
  try {
    const [detail, page] = await Promise.all([
      api('GET', `/conversations/${id}`),
      api('GET', `/conversations/${id}/messages`),
    ]);
    if (state.selectedId !== id) return;
    const changedConversation = state.detail?.conversation.id !== id;
    state.detail = detail;
    state.messages = page.messages;
    state.nextBefore = page.nextBefore;
    if (changedConversation) renderConversation();
    else {
      renderConversationHeader();
      renderTranscript();
      renderComposerState();
    }
    renderContact();
    if (changedConversation && !options.keepFocus) $('#transcript')?.focus();
  } catch (error) {
    fail(error);
  }
}

function renderConversation() {
  const pane = $('#conversation-pane');
  if (!pane) return;
  if (!state.detail || state.detail.conversation.id !== state.selectedId) {
    pane.replaceChildren(
      h('p', { class: 'placeholder' }, t('selectConversation')),
      h('p', { class: 'hint' }, t('shortcuts')),
    );
    $('#contact-pane')?.replaceChildren();
    return;
  }
  pane.replaceChildren(
    h('div', { id: 'conversation-header', class: 'conversation-header' }),
    h('ol', { id: 'transcript', class: 'transcript', tabindex: '-1', 'aria-label': t('transcript') }),
    composer(),
  );
  renderConversationHeader();
  renderTranscript();
  renderComposerState();
}

function renderConversationHeader() {
  const { conversation, contact, session } = state.detail;
  const mine = conversation.assignedAgentId === state.user.id;
  const supervisor = can('supervise');
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': t('conversationActions') });
  if (!mine)
    actions.append(
      h('button', { type: 'button', id: 'take-over', class: 'primary', onclick: takeOver }, t('takeOver')),
    );
  if (supervisor || mine) {
    const assignSelect = h(
      'select',
      { id: 'assign-to', 'aria-label': t('assignTo') },
      h('option', { value: '' }, `${t('assignTo')}…`),
      state.colleagues
        .filter((c) => c.id !== conversation.assignedAgentId)
        .map((c) => h('option', { value: c.id }, `${c.displayName}${c.team ? ` (${c.team})` : ''}`)),
    );
    assignSelect.addEventListener('change', () => assignSelect.value && assign(assignSelect.value));
    actions.append(assignSelect);
  }
  if ((mine || supervisor) && conversation.status !== 'bot') {
    const target = h(
      'select',
      { id: 'return-target', 'aria-label': t('returnAt') },
      h('option', { value: '' }, t('returnStart')),
      state.flows.flatMap((f) => f.steps.map((s) => h('option', { value: `${f.id}.${s}` }, `${f.id}.${s}`))),
    );
    actions.append(
      target,
      h(
        'button',
        { type: 'button', id: 'return-to-bot', onclick: () => returnToBot(target.value) },
        t('returnToBot'),
      ),
    );
  }
  if ((mine || supervisor) && conversation.status !== 'closed')
    actions.append(
      h(
        'button',
        { type: 'button', id: 'close-conversation', class: 'danger', onclick: closeIt },
        t('close'),
      ),
    );
  const owner = conversation.assignedAgentId
    ? mine
      ? t('ownedByYou')
      : t('ownedBy', { name: conversation.assignedAgentName ?? '?' })
    : '';
  $('#conversation-header').replaceChildren(
    h(
      'div',
      { class: 'title' },
      h('h2', {}, contact.name),
      h(
        'span',
        { class: `badge status status-${conversation.status}`, id: 'conversation-status' },
        t(`status_${conversation.status}`),
      ),
      owner ? h('span', { class: 'owner' }, owner) : null,
      session && conversation.status === 'queued'
        ? h(
            'span',
            { class: 'waiting', 'data-since': session.queuedAt },
            t('waitingFor', { t: duration(now() - session.queuedAt) }),
          )
        : null,
    ),
    actions,
  );
}

function renderTranscript() {
  const list = $('#transcript');
  if (!list) return;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const items = [];
  if (state.nextBefore)
    items.push(
      h(
        'li',
        { class: 'older' },
        h('button', { type: 'button', class: 'ghost', onclick: loadOlder }, t('older')),
      ),
    );
  for (const m of state.messages) items.push(messageItem(m));
  list.replaceChildren(...items);
  if (atBottom || !list.dataset.scrolled) {
    list.scrollTop = list.scrollHeight;
    list.dataset.scrolled = '1';
  }
}

function messageItem(m) {
  const details = m.details ?? {};
  const time = h('time', { datetime: new Date(m.createdAt).toISOString() }, clock(m.createdAt));
  if (m.direction === 'internal' && m.author === 'agent') {
    return h(
      'li',
      { class: 'message note' },
      h('span', { class: 'note-label' }, `${t('internalNote')} · ${m.agentName ?? ''}`),
      h('p', {}, m.text),
      h('span', { class: 'meta' }, time),
    );
  }
  if (m.direction === 'internal') {
    return h(
      'li',
      { class: `system-line kind-${details.kind ?? 'event'}` },
      h('span', {}, systemText(m)),
      ' ',
      time,
    );
  }
  const who = m.author === 'contact' ? 'contact' : m.author === 'agent' ? 'agent' : 'bot';
  const name =
    who === 'contact' ? state.detail.contact.name : who === 'agent' ? (m.agentName ?? t('agent')) : t('bot');
  const delivery = m.delivery;
  const failed = delivery && (delivery.status === 'failed' || delivery.status === 'held');
  const buttons = Array.isArray(details.buttons) ? details.buttons : [];
  return h(
    'li',
    { class: `message from-${who}${failed ? ' failed' : ''}` },
    h('span', { class: 'author' }, name),
    m.text ? h('p', {}, m.text) : null,
    details.payload ? h('p', { class: 'pressed' }, t('pressed', { p: details.payload })) : null,
    buttons.length
      ? h(
          'ul',
          { class: 'offered', 'aria-label': 'Buttons' },
          buttons.map((b) => h('li', {}, b.label ?? b.title ?? String(b))),
        )
      : null,
    h(
      'span',
      { class: 'meta' },
      time,
      delivery && !failed
        ? h(
            'span',
            { class: 'delivery' },
            ` · ${t(`status_${delivery.status === 'queued' ? 'queued_msg' : delivery.status}`)}`,
          )
        : null,
    ),
    failed
      ? h(
          'div',
          { class: 'failure', role: 'alert' },
          h('span', {}, `${t('failed')}${delivery.error ? `: ${delivery.error}` : ''}`),
          h('button', { type: 'button', class: 'retry', onclick: () => retry(m.outboxId) }, t('retry')),
        )
      : null,
  );
}

function systemText(m) {
  const d = m.details ?? {};
  if (d.kind === 'handoff')
    return `⇢ ${t('queued')}: ${reasonLabel(d.reason)}${d.team ? ` · ${d.team}` : ''}`;
  if (d.kind === 'takeover') return t('sysTakeover', { name: d.agentName ?? m.agentName ?? '?' });
  if (d.kind === 'assigned') return t('sysAssigned', { name: d.agentName ?? '?' });
  if (d.kind === 'closed') return t('sysClosed', { name: m.agentName ?? '' });
  if (d.kind === 'returned') return t('sysReturned', { name: m.agentName ?? '' });
  if (d.kind === 'start-flow')
    return t('sysStartFlow', { flow: `${d.flowId}${d.stepId ? `.${d.stepId}` : ''}` });
  return m.text ?? '';
}

async function loadOlder() {
  try {
    const page = await api(
      'GET',
      `/conversations/${state.selectedId}/messages?before=${encodeURIComponent(state.nextBefore)}`,
    );
    state.messages = [...page.messages, ...state.messages];
    state.nextBefore = page.nextBefore;
    renderTranscript();
  } catch (error) {
    fail(error);
  }
}

function composer() {
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
  const form = h(
    'form',
    { id: 'composer', class: `composer mode-${state.mode}` },
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
    if (!text) return;
    const button = $('#send');
    button.disabled = true;
    try {
      await api('POST', `/conversations/${state.selectedId}/${state.mode === 'note' ? 'note' : 'reply'}`, {
        text,
      });
      textarea.value = '';
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

function isMine() {
  return (
    state.detail?.conversation.assignedAgentId === state.user.id &&
    state.detail?.conversation.status === 'agent'
  );
}

function setMode(mode) {
  state.mode = mode;
  const form = $('#composer');
  form.className = `composer mode-${mode}`;
  $('#mode-reply').setAttribute('aria-pressed', String(mode === 'reply'));
  $('#mode-note').setAttribute('aria-pressed', String(mode === 'note'));
  $('#composer-label').textContent = mode === 'note' ? t('note') : t('reply');
  renderComposerState();
  $('#composer-text').focus();
}

function renderComposerState() {
  const locked = state.mode === 'reply' && !isMine();
  const send = $('#send');
  if (!send) return;
  send.textContent = state.mode === 'note' ? t('addNote') : t('send');
  send.disabled = locked;
  $('#composer-lock').textContent = locked ? t('composerLocked') : '';
}

function cannedFor(prefix) {
  const lang = state.detail?.contact.locale ?? locale();
  const byShortcut = new Map();
  for (const c of state.canned) {
    if (!c.shortcut.startsWith(prefix)) continue;
    const existing = byShortcut.get(c.shortcut);
    if (!existing || c.locale === lang) byShortcut.set(c.shortcut, c);
  }
  return [...byShortcut.values()].slice(0, 8);
}

function updateSuggestions() {
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

function moveSuggestion(step) {
  const options = [...document.querySelectorAll('#canned-suggestions [role=option]')];
  const index = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
  const next = options[(index + step + options.length) % options.length];
  for (const o of options) o.setAttribute('aria-selected', String(o === next));
  $('#composer-text').setAttribute('aria-activedescendant', next?.id ?? '');
}

function applyCanned(text) {
  const textarea = $('#composer-text');
  textarea.value = text;
  $('#canned-suggestions').hidden = true;
  textarea.focus();
}

/** "/gruss" typed in full and sent: replaced by its text. */
function expandShortcut(text) {
  const match = /^\/([a-z0-9_-]+)\s*$/.exec(text.trim());
  if (!match) return text;
  return cannedFor(match[1]).find((c) => c.shortcut === match[1])?.text ?? text;
}

async function act(request, message) {
  try {
    await request();
    toast(message);
    await Promise.all([openConversation(state.selectedId, { keepFocus: true }), refreshList()]);
  } catch (error) {
    fail(error);
    await openConversation(state.selectedId, { keepFocus: true });
  }
}

const takeOver = () =>
  act(() => api('POST', `/conversations/${state.selectedId}/take`), t('takenOverToast')).then(() => {
    setMode('reply');
  });
const assign = (agentId) =>
  act(() => api('POST', `/conversations/${state.selectedId}/assign`, { agentId }), t('assignedToast'));
const returnToBot = (target) => {
  const [flow, step] = target ? target.split('.') : [];
  return act(
    () => api('POST', `/conversations/${state.selectedId}/return`, flow ? { flow, step } : {}),
    t('returnedToast'),
  );
};
const closeIt = () => act(() => api('POST', `/conversations/${state.selectedId}/close`), t('closedToast'));
const retry = (outboxId) => act(() => api('POST', `/outbox/${outboxId}/retry`), t('sentToast'));

// ---------- contact panel ----------

function renderContact() {
  const pane = $('#contact-pane');
  if (!pane || !state.detail) return;
  const { contact, conversation, session, subscriptions, referrals } = state.detail;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? t('none'))];
  pane.replaceChildren(
    h('h2', {}, t('contact')),
    h(
      'dl',
      { class: 'facts' },
      row(t('channel'), conversation.channel),
      row(t('locale'), contact.locale),
      contact.phone ? row(t('phone'), contact.phone) : null,
      contact.username ? row(t('username'), `@${contact.username}`) : null,
      row(t('since'), clock(contact.createdAt)),
      row(t('handoffs'), String(contact.handoffCount)),
      session ? row(t('reason'), reasonLabel(session.reason)) : null,
      session?.team ? row(t('team'), session.team) : null,
      session?.afterHours ? row('⏾', t('afterHours')) : null,
    ),
    h('h3', {}, t('tags')),
    contact.tags.length
      ? h(
          'ul',
          { class: 'chips' },
          contact.tags.map((tag) => h('li', {}, tag)),
        )
      : h('p', { class: 'muted' }, t('none')),
    h('h3', {}, t('topics')),
    subscriptions.length
      ? h(
          'ul',
          { class: 'chips' },
          subscriptions.map((s) => h('li', { class: `sub-${s.status}` }, `${s.topic} (${s.status})`)),
        )
      : h('p', { class: 'muted' }, t('none')),
    h('h3', {}, t('referrals')),
    referrals
      ? h(
          'dl',
          { class: 'facts' },
          row(t('referralClicks'), String(referrals.clicks)),
          row(t('referralJoined'), String(referrals.joined)),
          referrals.referredBy ? row(t('referredBy'), referrals.referredBy) : null,
        )
      : h('p', { class: 'muted' }, t('none')),
  );
}

// ---------- metrics ----------

async function renderMetrics() {
  const main = $('#metrics');
  try {
    const days = 7;
    const data = await api('GET', `/metrics?from=${Date.now() - days * 86400000}`);
    const table = (title, rows) =>
      h(
        'section',
        {},
        h('h2', {}, title),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('name')),
              h('th', { scope: 'col' }, t('handled')),
              h('th', { scope: 'col' }, t('firstResponse')),
              h('th', { scope: 'col' }, t('handling')),
            ),
          ),
          h(
            'tbody',
            {},
            rows.map((r) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, r.name),
                h('td', {}, String(r.handled)),
                h('td', {}, duration(r.medianFirstResponseMs)),
                h('td', {}, duration(r.medianHandlingMs)),
              ),
            ),
          ),
        ),
      );
    main.replaceChildren(
      h(
        'h2',
        {},
        `${t('metrics')} · ${t('lastDays', { n: days })} · ${t('waitingCount', { n: data.waiting })}`,
      ),
      table(t('byAgent'), data.agents),
      table(t('byTeam'), data.teams),
    );
  } catch (error) {
    fail(error);
  }
}

// ---------- settings: canned replies (supervisors) and accounts (admins) ----------

function field(id, label, input) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

async function renderSettings() {
  const main = $('#settings');
  try {
    const canned = (await api('GET', '/canned-replies')).items;
    state.canned = canned;
    const cannedForm = h(
      'form',
      { class: 'settings-form', 'aria-label': t('canned') },
      field(
        'canned-shortcut',
        t('shortcut'),
        h('input', { required: true, pattern: '[a-z0-9][a-z0-9_-]*', maxlength: '40' }),
      ),
      field(
        'canned-locale',
        t('locale'),
        h('select', {}, h('option', { value: 'de' }, 'de'), h('option', { value: 'en' }, 'en')),
      ),
      field('canned-text', t('text'), h('textarea', { required: true, rows: '2', maxlength: '4000' })),
      h('button', { type: 'submit', class: 'primary' }, t('save')),
    );
    cannedForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/canned-replies', {
          shortcut: $('#canned-shortcut').value.trim(),
          locale: $('#canned-locale').value,
          text: $('#canned-text').value,
        });
        toast(t('saved'));
        await renderSettings();
      } catch (error) {
        fail(error);
      }
    });
    const sections = [
      h(
        'section',
        {},
        h('h2', {}, t('canned')),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('shortcut')),
              h('th', { scope: 'col' }, t('locale')),
              h('th', { scope: 'col' }, t('text')),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('delete'))),
            ),
          ),
          h(
            'tbody',
            {},
            canned.map((c) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, `/${c.shortcut}`),
                h('td', {}, c.locale),
                h('td', {}, c.text),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      'aria-label': `${t('delete')} /${c.shortcut} (${c.locale})`,
                      onclick: () => api('DELETE', `/canned-replies/${c.id}`).then(renderSettings, fail),
                    },
                    t('delete'),
                  ),
                ),
              ),
            ),
          ),
        ),
        cannedForm,
      ),
    ];
    if (state.user.role === 'admin') {
      const users = (await api('GET', '/users')).items;
      const userForm = h(
        'form',
        { class: 'settings-form', 'aria-label': t('addUser') },
        field('user-email', t('email'), h('input', { type: 'email', required: true })),
        field('user-name', t('name'), h('input', { required: true })),
        field(
          'user-role',
          t('role'),
          h(
            'select',
            {},
            ['agent', 'supervisor', 'marketer', 'admin'].map((r) => h('option', { value: r }, r)),
          ),
        ),
        field('user-team', t('team'), h('input', {})),
        field(
          'user-password',
          t('password'),
          h('input', { type: 'password', required: true, minlength: '10', autocomplete: 'new-password' }),
        ),
        h('button', { type: 'submit', class: 'primary' }, t('addUser')),
      );
      userForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          await api('POST', '/users', {
            email: $('#user-email').value,
            displayName: $('#user-name').value,
            role: $('#user-role').value,
            team: $('#user-team').value.trim() || null,
            password: $('#user-password').value,
          });
          toast(t('saved'));
          await renderSettings();
        } catch (error) {
          fail(error);
        }
      });
      sections.push(
        h(
          'section',
          {},
          h('h2', {}, t('users')),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('name')),
                h('th', { scope: 'col' }, t('email')),
                h('th', { scope: 'col' }, t('role')),
                h('th', { scope: 'col' }, t('team')),
                h('th', { scope: 'col' }, t('status')),
              ),
            ),
            h(
              'tbody',
              {},
              users.map((u) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, u.displayName),
                  h('td', {}, u.email),
                  h('td', {}, u.role),
                  h('td', {}, u.team ?? '–'),
                  h(
                    'td',
                    {},
                    u.id === state.user.id
                      ? t('active')
                      : h(
                          'button',
                          {
                            type: 'button',
                            onclick: () =>
                              api('PATCH', `/users/${u.id}`, { disabled: !u.disabled }).then(
                                renderSettings,
                                fail,
                              ),
                          },
                          u.disabled ? t('enable') : t('disable'),
                        ),
                  ),
                ),
              ),
            ),
          ),
          userForm,
        ),
      );
    }
    if (can('supervise')) sections.unshift(await channelsSection());
    main.replaceChildren(...sections);
  } catch (error) {
    fail(error);
  }
}

/** Channel states; WhatsApp Web shows its QR code here until a phone is linked. */
async function channelsSection() {
  const channels = (await api('GET', '/channels')).items;
  return h(
    'section',
    { 'aria-labelledby': 'channels-heading' },
    h('h2', { id: 'channels-heading' }, t('channels')),
    channels.length === 0
      ? h('p', {}, t('noChannels'))
      : h(
          'ul',
          { class: 'channel-list' },
          channels.map((c) =>
            h(
              'li',
              {},
              h('strong', {}, c.name),
              ' – ',
              h('span', { class: `channel-state channel-${c.state}` }, t(`channelState_${c.state}`)),
              c.detail ? h('span', {}, ` (${c.detail})`) : null,
              c.qrCode
                ? h(
                    'figure',
                    {},
                    h('img', { src: c.qrCode, alt: t('qrAlt'), width: '220', height: '220' }),
                    h('figcaption', {}, t('qrHelp')),
                  )
                : null,
            ),
          ),
        ),
    h('button', { type: 'button', onclick: () => void renderSettings() }, t('refresh')),
  );
}

// ---------- live ----------

let source = null;
let refreshTimer = null;

function connectLive() {
  source?.close();
  source = new EventSource('/console/api/events');
  source.addEventListener('ready', () => {
    state.live = 'live';
    renderLive();
    scheduleRefresh(true);
  });
  source.addEventListener('change', (event) => {
    const notice = JSON.parse(event.data);
    for (const listener of liveListeners) listener(notice);
    scheduleRefresh(notice.conversationId === state.selectedId);
  });
  source.addEventListener('error', async () => {
    state.live = 'reconnecting';
    renderLive();
    try {
      await api('GET', '/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        source.close();
        fail(error);
      }
    }
  });
}

/** Many events arrive in bursts (a turn records several lines): refetch once per burst. */
function scheduleRefresh(conversationToo) {
  scheduleRefresh.conversation ||= conversationToo;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const alsoConversation = scheduleRefresh.conversation;
    scheduleRefresh.conversation = false;
    if (!state.user || state.page !== 'inbox') return;
    void refreshList();
    if (alsoConversation && state.selectedId) void openConversation(state.selectedId, { keepFocus: true });
  }, 150);
}

function renderLive() {
  const el = $('#live');
  if (!el) return;
  el.textContent = state.live === 'live' ? `● ${t('live')}` : t('reconnecting');
  el.className = `live live-${state.live}`;
}

// Waiting times tick every second without a refetch.
setInterval(() => {
  for (const el of document.querySelectorAll('[data-since]'))
    el.textContent = t('waitingFor', { t: duration(now() - Number(el.dataset.since)) });
}, 1000);

// ---------- keyboard ----------

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

// ---------- boot ----------

setLocale(initialLocale());
try {
  const me = await api('GET', '/me');
  setCsrfToken(me.csrfToken);
  state.user = me.user;
  await startInbox();
} catch (error) {
  if (error instanceof ApiError && error.status === 401) renderLogin();
  else renderLogin(error.message);
}
