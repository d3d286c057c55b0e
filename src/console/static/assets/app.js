// The console shell: sign-in, the top bar, and which page shows — the inbox (panes in ./inbox/, one plain ES
// module each, sharing ./inbox/state.js), metrics, settings, or a screen. Screens (results, workbench, …) are
// Preact bundles listed in screens.js and mounted into the shell. No build step for this part.
import { ApiError, api, setCsrfToken } from './api.js';
import { initialLocale, locale, setLocale, t } from './i18n.js';
import { availabilitySwitch, loadAvailability, startHeartbeat, stopHeartbeat } from './inbox/availability.js';
import { openConversation, renderConversation } from './inbox/conversation.js';
import './inbox/keyboard.js';
import { refreshList, renderListPane } from './inbox/list.js';
import { closeLive, connectLive, renderLive } from './inbox/live.js';
import { renderMetrics } from './inbox/metrics.js';
import { askPermission, canAskPermission } from './inbox/notify.js';
import { renderSettings } from './inbox/settings.js';
import { $, can, h, hooks, liveListeners, state, toast } from './inbox/state.js';
import { SCREENS } from './screens.js';

hooks.onSignedOut = () => renderLogin();

// A click on a desktop notification opens that conversation in the inbox.
document.addEventListener('plausch:open', (event) => {
  if (state.page !== 'inbox') switchPage('inbox');
  void openConversation(event.detail);
});

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
  if (can('inbox')) {
    void loadAvailability();
    startHeartbeat();
  }
  connectLive();
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
    can('inbox') && canAskPermission()
      ? h(
          'button',
          {
            type: 'button',
            id: 'notify-on',
            class: 'ghost',
            onclick: async (event) => {
              const button = event.currentTarget;
              await askPermission();
              button.remove();
            },
          },
          t('notifyOn'),
        )
      : null,
    can('inbox') ? availabilitySwitch() : null,
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
  stopHeartbeat();
  closeLive();
  renderLogin();
}

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
