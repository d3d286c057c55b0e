// Live updates over Server-Sent Events: notices trigger one refetch per burst.
import { ApiError, api } from '../api.js';
import { duration, t } from '../i18n.js';
import { openConversation } from './conversation.js';
import { refreshList, updateSlaClock } from './list.js';
import { noticeAssigned, noticeReply } from './notify.js';
import { $, fail, liveListeners, now, state } from './state.js';

export let source = null;
export let refreshTimer = null;

export function connectLive() {
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
    if (notice.type === 'message-recorded' && notice.author === 'contact' && notice.direction === 'in') {
      const own = state.mine.find((item) => item.id === notice.conversationId);
      if (own) noticeReply(own.id, own.contactName);
    }
    if (
      notice.type === 'conversation-changed' &&
      notice.status === 'agent' &&
      notice.assignedAgentId === state.user?.id &&
      !state.mine.some((item) => item.id === notice.conversationId)
    ) {
      const known = state.items.find((item) => item.id === notice.conversationId);
      noticeAssigned(notice.conversationId, known?.contactName);
    }
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
export function scheduleRefresh(conversationToo) {
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

export function renderLive() {
  const el = $('#live');
  if (!el) return;
  el.textContent = state.live === 'live' ? `● ${t('live')}` : t('reconnecting');
  el.className = `live live-${state.live}`;
}

// Waiting times tick every second without a refetch.
setInterval(() => {
  for (const el of document.querySelectorAll('[data-since]'))
    el.textContent = t('waitingFor', { t: duration(now() - Number(el.dataset.since)) });
  for (const el of document.querySelectorAll('[data-sla-due]')) updateSlaClock(el);
}, 1000);

export function closeLive() {
  source?.close();
}
