// The contact panel beside the conversation.
import { clock, t } from '../i18n.js';
import { $, h, reasonLabel, state } from './state.js';

export function renderContact() {
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
