// The conversation pane: header with the actions, the transcript, and the composer below it.
import { api } from '../api.js';
import { clock, duration, t } from '../i18n.js';
import { colleagueLabel, refreshColleagues } from './availability.js';
import { composer, renderComposerState, setMode } from './composer.js';
import { renderContact } from './contact.js';
import { refreshList, renderList, slaClock } from './list.js';
import { markRead } from './notify.js';
import { $, can, fail, h, now, reasonLabel, state, toast } from './state.js';

export async function openConversation(id, options = {}) {
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
    if (changedConversation) state.attachment = null;
    markRead(id);
    renderList();
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

export function renderConversation() {
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

function assignOptions(ownerId) {
  return state.colleagues
    .filter((c) => c.id !== ownerId && c.role !== 'marketer')
    .map((c) => h('option', { value: c.id }, colleagueLabel(c)));
}

export function renderConversationHeader() {
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
      assignOptions(conversation.assignedAgentId),
    );
    assignSelect.addEventListener('change', () => assignSelect.value && assign(assignSelect.value));
    // Who is away or full changes all day: fresh figures each time the menu gets focus.
    assignSelect.addEventListener('focus', async () => {
      await refreshColleagues();
      assignSelect.replaceChildren(
        h('option', { value: '' }, `${t('assignTo')}…`),
        assignOptions(conversation.assignedAgentId),
      );
    });
    actions.append(assignSelect);
  }
  if ((mine || supervisor) && conversation.status !== 'bot') {
    const target = h(
      'select',
      { id: 'return-target', 'aria-label': t('returnAt') },
      h('option', { value: '' }, t('returnStart')),
      // Flows by the titles their authors gave them, each from its first step (not every internal step id).
      [...state.flows]
        .sort((a, b) => (a.title ?? a.id).localeCompare(b.title ?? b.id))
        .map((f) => h('option', { value: f.id }, f.title ?? f.id)),
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
  const listed = state.items.find((i) => i.id === conversation.id);
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
      listed?.slaDueAt ? slaClock(listed.slaDueAt) : null,
    ),
    actions,
  );
}

export function renderTranscript() {
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

export function messageItem(m) {
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
    who === 'contact'
      ? state.detail.contact.name
      : who === 'agent'
        ? (m.agentName ?? t('agent'))
        : m.author === 'system'
          ? t('autoNotice')
          : t('bot');
  const delivery = m.delivery;
  const failed = delivery && (delivery.status === 'failed' || delivery.status === 'held');
  const buttons = Array.isArray(details.buttons) ? details.buttons : [];
  return h(
    'li',
    { class: `message from-${who}${failed ? ' failed' : ''}` },
    h('span', { class: 'author' }, name),
    m.text ? h('p', {}, m.text) : null,
    mediaOf(m),
    details.payload ? h('p', { class: 'pressed' }, pressedText(details.payload)) : null,
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

/** A photo, voice note, video, file or location in the transcript, fetched through the console API. */
export function mediaOf(m) {
  const details = m.details ?? {};
  const media = details.media;
  if (!media) return null;
  if (media.kind === 'location') {
    const [lat, lon] = String(media.ref).split(',').map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lon))
      return h('p', { class: 'media-location' }, t('location'));
    return h(
      'p',
      { class: 'media-location' },
      `${t('location')}: ${lat.toFixed(5)}, ${lon.toFixed(5)} · `,
      h(
        'a',
        {
          href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`,
          target: '_blank',
          rel: 'noopener noreferrer',
        },
        t('openMap'),
      ),
    );
  }
  const src =
    m.direction === 'in'
      ? `/console/api/conversations/${m.conversationId}/messages/${m.id}/media`
      : details.mediaId
        ? `/console/api/media/${details.mediaId}`
        : null;
  if (!src) return null;
  if (media.kind === 'image' || media.kind === 'sticker') {
    const img = h('img', {
      class: 'media-image',
      src,
      alt:
        media.caption ||
        media.fileName ||
        (m.direction === 'in' ? t('customerImage') : t('attached', { name: '' })),
      loading: 'lazy',
    });
    img.addEventListener('error', () => img.replaceWith(h('p', { class: 'muted' }, t('mediaUnavailable'))));
    img.addEventListener('load', () => {
      const list = $('#transcript');
      if (list && list.scrollHeight - list.scrollTop - list.clientHeight < img.height + 80)
        list.scrollTop = list.scrollHeight;
    });
    return img;
  }
  if (media.kind === 'audio')
    return h('audio', { controls: true, preload: 'none', src, 'aria-label': t('voiceNote') });
  if (media.kind === 'video') return h('video', { controls: true, preload: 'none', src });
  return h(
    'p',
    {},
    h('a', { href: src, download: media.fileName || 'file' }, media.fileName || t('customerFile')),
  );
}

/** What the customer pressed; a rating button reads "Bewertung: 4 von 5", not its payload. */
function pressedText(payload) {
  const rating = /^csat:([1-5])$/.exec(payload);
  if (rating) return t('pressedRating', { n: rating[1] });
  if (payload === 'csat:skip') return t('pressedNoComment');
  return t('pressed', { p: payload });
}

export function systemText(m) {
  const d = m.details ?? {};
  if (d.kind === 'handoff')
    return `⇢ ${t('queued')}: ${reasonLabel(d.reason)}${d.team ? ` · ${d.team}` : ''}`;
  if (d.kind === 'takeover') return t('sysTakeover', { name: d.agentName ?? m.agentName ?? '?' });
  if (d.kind === 'agent-joined') return t('sysAgentJoined', { name: m.agentName ?? '' });
  if (d.kind === 'bot-back') return t('sysBotBack');
  if (d.kind === 'assigned')
    return t(d.rule ? 'sysAutoAssigned' : 'sysAssigned', { name: d.agentName ?? '?' });
  if (d.kind === 'closed') return t('sysClosed', { name: m.agentName ?? '' });
  if (d.kind === 'returned') return t('sysReturned', { name: m.agentName ?? '' });
  if (d.kind === 'start-flow')
    return t('sysStartFlow', { flow: `${d.flowId}${d.stepId ? `.${d.stepId}` : ''}` });
  return m.text ?? '';
}

export async function loadOlder() {
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

export async function act(request, message) {
  try {
    await request();
    toast(message);
    await Promise.all([openConversation(state.selectedId, { keepFocus: true }), refreshList()]);
  } catch (error) {
    fail(error);
    await openConversation(state.selectedId, { keepFocus: true });
  }
}

export const takeOver = () =>
  act(() => api('POST', `/conversations/${state.selectedId}/take`), t('takenOverToast')).then(() => {
    setMode('reply');
  });
export const assign = (agentId) =>
  act(() => api('POST', `/conversations/${state.selectedId}/assign`, { agentId }), t('assignedToast'));
export const returnToBot = (target) => {
  const [flow, step] = target ? target.split('.') : [];
  return act(
    () => api('POST', `/conversations/${state.selectedId}/return`, flow ? { flow, step } : {}),
    t('returnedToast'),
  );
};
export const closeIt = () =>
  act(() => api('POST', `/conversations/${state.selectedId}/close`), t('closedToast'));
export const retry = (outboxId) => act(() => api('POST', `/outbox/${outboxId}/retry`), t('sentToast'));
