// Figures for supervisors: handled conversations, first response and handling times per agent and team.
import { api } from '../api.js';
import { duration, t } from '../i18n.js';
import { $, fail, h } from './state.js';

export async function renderMetrics() {
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
              h('th', { scope: 'col' }, t('slaBreaches')),
              h('th', { scope: 'col' }, t('csat')),
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
                h('td', { class: r.slaBreaches > 0 ? 'sla-breached' : null }, String(r.slaBreaches ?? 0)),
                h(
                  'td',
                  { class: 'csat' },
                  r.csatAverage === null ? '–' : t('csatValue', { avg: r.csatAverage, n: r.csatAnswered }),
                ),
              ),
            ),
          ),
        ),
      );
    main.replaceChildren(
      h(
        'h2',
        {},
        `${t('metrics')} · ${t('lastDays', { n: days })} · ${t('waitingCount', { n: data.waiting })} · ${t('slaBreachesTotal', { n: data.slaBreaches ?? 0 })}`,
      ),
      table(t('byAgent'), data.agents),
      table(t('byTeam'), data.teams),
    );
  } catch (error) {
    fail(error);
  }
}
