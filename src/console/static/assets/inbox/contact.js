// The contact panel beside the conversation: name (the platform's, or the one the team gives), channel,
// language, tags (editable), newsletter topics, referrals, and the contact's earlier conversations with the team.
import { api } from '../api.js';
import { clock, t } from '../i18n.js';
import { refreshList } from './list.js';
import { $, fail, h, reasonLabel, state, toast } from './state.js';

export function renderContact() {
  const pane = $('#contact-pane');
  if (!pane || !state.detail) return;
  // A live refresh must not wipe what the agent is typing into the edit form.
  if (state.editingContact === state.detail.contact.id && pane.querySelector('#contact-edit')) return;
  state.editingContact = null;
  const { contact, conversation, session, subscriptions, referrals, history = [] } = state.detail;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? t('none'))];
  pane.replaceChildren(
    h('h2', {}, t('contact')),
    h(
      'div',
      { class: 'contact-name' },
      h('p', { class: 'contact-title', id: 'contact-name' }, contact.name),
      contact.agentName && contact.profileName && contact.profileName !== contact.agentName
        ? h('p', { class: 'muted' }, t('profileName', { name: contact.profileName }))
        : null,
      h(
        'button',
        { type: 'button', id: 'contact-edit-open', class: 'ghost small', onclick: () => openEditor(contact) },
        t('editContact'),
      ),
    ),
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
          { class: 'chips', id: 'contact-tags' },
          contact.tags.map((tag) => h('li', {}, tag)),
        )
      : h('p', { class: 'muted' }, t('none')),
    h('h3', {}, t('history')),
    history.length
      ? h(
          'ol',
          { class: 'history', id: 'contact-history' },
          history.map((entry) =>
            h(
              'li',
              { class: entry.state === 'open' ? 'history-open' : null },
              h('span', { class: 'history-when' }, clock(entry.queuedAt)),
              ' ',
              reasonLabel(entry.reason),
              entry.agentName ? ` · ${entry.agentName}` : '',
              entry.state === 'open' ? ` · ${t('historyOpen')}` : '',
              entry.rating !== null
                ? h(
                    'span',
                    { class: 'history-rating', title: t('ratingTitle', { n: entry.rating }) },
                    ` · ★ ${entry.rating}/5`,
                  )
                : null,
            ),
          ),
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

/** The name and tags form in place of the name; Esc or "Abbrechen" closes it without saving. */
function openEditor(contact) {
  state.editingContact = contact.id;
  const name = h('input', {
    id: 'contact-edit-name',
    value: contact.agentName ?? '',
    placeholder: contact.profileName,
    maxlength: '80',
  });
  const tags = h('input', {
    id: 'contact-edit-tags',
    value: contact.tags.join(', '),
    placeholder: t('tagsPlaceholder'),
  });
  const close = () => {
    state.editingContact = null;
    renderContact();
    $('#contact-edit-open')?.focus();
  };
  const form = h(
    'form',
    { id: 'contact-edit', class: 'contact-edit', 'aria-label': t('editContact') },
    h('label', { for: 'contact-edit-name' }, t('contactName')),
    name,
    h('p', { class: 'hint' }, t('contactNameHint')),
    h('label', { for: 'contact-edit-tags' }, t('tags')),
    tags,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, t('save')),
      h('button', { type: 'button', onclick: close }, t('cancel')),
    ),
  );
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const list = tags.value
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    try {
      const saved = await api('PATCH', `/conversations/${state.selectedId}/contact`, {
        name: name.value.trim() || null,
        tags: list,
      });
      state.detail.contact = { ...state.detail.contact, ...saved };
      toast(t('saved'));
      close();
      const title = $('#conversation-header h2');
      if (title) title.textContent = saved.name;
      void refreshList();
    } catch (error) {
      fail(error);
    }
  });
  $('.contact-name')?.replaceWith(form);
  name.focus();
}
