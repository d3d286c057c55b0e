// Notifications: a new waiting conversation and a customer's reply in one's own conversations mark the item
// unread, play a short tone, show a desktop notification (once the agent allowed it) and count in the title.
import { t } from '../i18n.js';
import { state } from './state.js';

const BASE_TITLE = document.title || 'Plausch Console';
let seeded = false;
const knownWaiting = new Set();
let audio = null;

/** Called with each fresh waiting list; ids not seen before are new waiting conversations. */
export function noticeWaiting(items) {
  const fresh = items.filter((item) => !knownWaiting.has(item.id));
  for (const item of items) knownWaiting.add(item.id);
  if (!seeded) {
    seeded = true;
    return;
  }
  for (const item of fresh) {
    if (item.id === state.selectedId && !document.hidden) continue;
    state.unread.add(item.id);
    alertAgent(t('newWaiting', { name: item.contactName }), item.id);
  }
  if (fresh.length) renderTitle();
}

/** A customer wrote in a conversation this agent owns. */
export function noticeReply(conversationId, contactName) {
  if (conversationId === state.selectedId && !document.hidden) return;
  state.unread.add(conversationId);
  alertAgent(t('newReply', { name: contactName }), conversationId);
  renderTitle();
}

/** A chat was given to this agent (assignment rules or a supervisor) while they looked elsewhere. */
export function noticeAssigned(conversationId, contactName) {
  if (conversationId === state.selectedId && !document.hidden) return;
  state.unread.add(conversationId);
  alertAgent(
    contactName ? t('assignedToYou', { name: contactName }) : t('assignedToYouAnon'),
    conversationId,
  );
  renderTitle();
}

export function markRead(conversationId) {
  if (state.unread.delete(conversationId)) renderTitle();
}

export function renderTitle() {
  const n = state.unread.size;
  document.title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
}

function alertAgent(text, conversationId) {
  playTone();
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const note = new Notification(BASE_TITLE, { body: text, tag: `plausch-${conversationId}` });
    note.onclick = () => {
      window.focus();
      document.dispatchEvent(new CustomEvent('plausch:open', { detail: conversationId }));
    };
  } catch {
    // Some browsers allow notifications only from a service worker; the tone and the title still tell.
  }
}

/** Two short sine tones made on the spot: no sound file to ship, quiet enough for an office. */
function playTone() {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.16, 1175],
    ]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.08, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.15);
    }
  } catch {
    // No audio (autoplay policy before the first click): the other signals remain.
  }
}

/** Whether to offer the "turn on notifications" button (the browser asks only after a click). */
export function canAskPermission() {
  return typeof Notification !== 'undefined' && Notification.permission === 'default';
}

export async function askPermission() {
  if (typeof Notification === 'undefined') return 'denied';
  return Notification.requestPermission();
}
