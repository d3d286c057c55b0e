// Settings: channels (supervisors), canned replies (supervisors) and accounts (admins).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { $, can, fail, h, state, toast } from './state.js';

export function field(id, label, input) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export async function renderSettings() {
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
export async function channelsSection() {
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
