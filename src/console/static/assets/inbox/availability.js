// Away / available in the top bar (assignment rules skip away agents) and the colleagues' availability for the
// assign menu.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { $, fail, h, state, toast } from './state.js';

/** The top-bar switch; its label says what you are, pressing it flips it. */
export function availabilitySwitch() {
  const button = h('button', {
    type: 'button',
    id: 'availability',
    class: 'ghost availability',
    onclick: () => void toggle(),
  });
  paint(button);
  return button;
}

function paint(button = $('#availability')) {
  if (!button) return;
  const away = state.availability === 'away';
  button.textContent = away ? `◌ ${t('away')}` : `● ${t('available')}`;
  button.classList.toggle('is-away', away);
  button.setAttribute('aria-pressed', away ? 'true' : 'false');
  button.title = away ? t('setAvailable') : t('setAway');
  button.setAttribute('aria-label', `${away ? t('away') : t('available')} – ${button.title}`);
}

export async function loadAvailability() {
  try {
    state.availability = (await api('GET', '/availability')).me;
    paint();
  } catch (error) {
    fail(error);
  }
}

// The heartbeat: while the console is open the assignment rules count this agent as present (see
// src/console/assignment.ts); a closed tab stops counting after a few minutes.
let heartbeat = null;
export function startHeartbeat() {
  clearInterval(heartbeat);
  heartbeat = setInterval(() => {
    if (state.user) void loadAvailability();
  }, 60_000);
}

export function stopHeartbeat() {
  clearInterval(heartbeat);
  heartbeat = null;
}

async function toggle() {
  const status = state.availability === 'away' ? 'available' : 'away';
  try {
    await api('PUT', '/me/availability', { status });
    state.availability = status;
    paint();
    toast(status === 'away' ? t('nowAway') : t('nowAvailable'));
  } catch (error) {
    fail(error);
  }
}

/** Fresh availability and open chats of the colleagues (the assign menu reads them when it opens). */
export async function refreshColleagues() {
  try {
    state.colleagues = (await api('GET', '/colleagues')).items;
  } catch (error) {
    fail(error);
  }
}

/** "Ben Roth (service) · abwesend · 2 Chats" for the assign menu. */
export function colleagueLabel(c) {
  const parts = [`${c.displayName}${c.team ? ` (${c.team})` : ''}`];
  if (c.availability === 'away') parts.push(t('away'));
  else if (c.online === false) parts.push(t('offline'));
  if (typeof c.openChats === 'number') parts.push(t('openChats', { n: c.openChats }));
  return parts.join(' · ');
}
