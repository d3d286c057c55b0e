// The list pane: views (waiting, mine, open, closed), search and the conversation items.
import { api } from '../api.js';
import { duration, t } from '../i18n.js';
import { openConversation } from './conversation.js';
import { noticeWaiting } from './notify.js';
import { $, authorLabel, fail, h, now, reasonLabel, state } from './state.js';

export const VIEWS = ['waiting', 'mine', 'open', 'closed'];

export function renderListPane() {
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

export async function refreshList() {
  try {
    const query = new URLSearchParams({ view: state.view, ...(state.search ? { q: state.search } : {}) });
    const [result, waiting, mine] = await Promise.all([
      api('GET', `/conversations?${query}`),
      state.view === 'waiting' && !state.search ? null : api('GET', '/conversations?view=waiting'),
      state.view === 'mine' && !state.search ? null : api('GET', '/conversations?view=mine'),
    ]);
    state.serverOffset = result.now - Date.now();
    state.items = result.items;
    state.mine = (mine ?? result).items;
    noticeWaiting((waiting ?? result).items);
    const count = (waiting ?? result).items.length;
    const badge = $('#waiting-count');
    if (badge) badge.textContent = count > 0 ? String(count) : '';
    renderList();
  } catch (error) {
    fail(error);
  }
}

export function renderList() {
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
            class: `conversation-item status-${item.status} priority-${item.priority ?? 0}`,
            'data-id': item.id,
            'aria-current': item.id === state.selectedId ? 'true' : null,
            onclick: () => openConversation(item.id),
          },
          h(
            'span',
            { class: 'item-top' },
            h('strong', { class: 'item-name' }, item.contactName),
            state.unread.has(item.id)
              ? h('span', { class: 'unread-dot', role: 'img', 'aria-label': t('unread') })
              : null,
            h('span', { class: `badge channel channel-${item.channel}` }, item.channel),
          ),
          h(
            'span',
            { class: 'item-meta' },
            h('span', { class: `badge status status-${item.status}` }, t(`status_${item.status}`)),
            item.priority > 0
              ? h('span', { class: 'badge priority', title: t('complaintMark') }, `⚑ ${t('complaintMark')}`)
              : item.reason
                ? h('span', { class: 'reason' }, reasonLabel(item.reason))
                : null,
            item.slaDueAt ? slaClock(item.slaDueAt) : null,
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

/** The waiting customer's service-level clock: time left, or how long the target has been missed. */
export function slaClock(dueAt) {
  const el = h('span', { class: 'sla', 'data-sla-due': dueAt });
  updateSlaClock(el);
  return el;
}

export function updateSlaClock(el) {
  const left = Number(el.dataset.slaDue) - now();
  el.textContent = left >= 0 ? t('slaLeft', { t: duration(left) }) : t('slaOver', { t: duration(-left) });
  el.classList.toggle('sla-breached', left < 0);
}
