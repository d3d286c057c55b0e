/**
 * The results dashboard: one panel per figure of /console/api/insights, each with its chart (Chart.js), the
 * numbers as a table where a chart alone would hide them, and a CSV download of exactly those rows. One date
 * range and channel filter for the whole page.
 */
import type { ChartConfiguration } from 'chart.js/auto';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ChartCanvas, PALETTE } from '../../marketing/chart.js';
import { distinct, type FigureFilter, type FigureTable, figureQuery, num } from '../../marketing/figures.js';
import type { ScreenContext } from '../../shared/context.js';
import { defineScreen } from '../../shared/screen.js';
import { textsFor } from '../../shared/texts.js';
import './dashboard.css';

const TEXTS = {
  de: {
    title: 'Ergebnisse',
    from: 'Von',
    to: 'Bis',
    channel: 'Kanal',
    allChannels: 'Alle Kanäle',
    campaign: 'Kampagne',
    allCampaigns: 'Alle Kampagnen',
    csv: 'CSV herunterladen',
    loading: 'Lädt …',
    empty: 'Keine Daten in diesem Zeitraum.',
    failed: 'Konnte nicht geladen werden: {error}',
    conversations: 'Gespräche pro Tag und Kanal',
    contacts: 'Neue und wiederkehrende Kontakte',
    new_contacts: 'Neu',
    returning_contacts: 'Wiederkehrend',
    service: 'Servicefragen pro Tag',
    answered: 'Beantwortet',
    asked_back: 'Nachgefragt',
    declined: 'Nicht gewusst',
    handed_over: 'An Person übergeben',
    answerRate: 'Antwortquote: {rate}',
    feedback: '„Hat das geholfen?“',
    yes: 'Ja',
    no: 'Nein',
    unanswered: 'Häufigste unbeantwortete Fragen',
    question: 'Frage',
    asks: 'Anzahl',
    openConversation: 'Gespräch öffnen',
    newsletter: 'Newsletter: Abonnent:innen pro Thema (Stand am Tagesende)',
    subscribers: 'Abonnent:innen',
    erased: 'Gelöscht (DSGVO)',
    clicked: 'Geklickt',
    confirmed: 'Bestätigt',
    unsubscribed: 'Abgemeldet',
    net: 'Netto',
    topic: 'Thema',
    day: 'Tag',
    broadcasts: 'Aussendungen: Trichter (48 h)',
    sent: 'Gesendet',
    delivered: 'Zugestellt',
    read: 'Gelesen',
    replied: 'Geantwortet',
    referrals: 'Empfehlungen pro Kampagne',
    links: 'Links ausgegeben',
    shared: 'Geteilt & geklickt',
    visitors: 'Besucher',
    buyers: 'Käufer',
    geo: 'Empfehlungen nach Land und Region',
    country: 'Land',
    region: 'Region',
    topReferrers: 'Top-Empfehler',
    referrer: 'Name',
    clicks: 'Klicks',
    unique_clicks: 'Eindeutige Klicks',
    name: 'Name',
    last_asked: 'Zuletzt',
    conversation_id: '',
    conversions: 'Käufe',
    leaderboard: 'Bestenliste',
    rank: 'Platz',
    joined: 'Freunde',
    events: 'Veranstaltungen',
    reminders_requested: 'Erinnerung gewünscht',
    reminders_sent: 'Erinnerung gesendet',
    ics_downloads: '.ics geladen',
    handoff: 'Übergaben an Personen pro Team',
    team: 'Team',
    handoffs: 'Übergaben',
    taken: 'Übernommen',
    avg_wait_s: 'Ø Wartezeit (s)',
    avg_first_response_s: 'Ø erste Antwort (s)',
    csat: 'Zufriedenheit nach Gesprächen mit Personen (CSAT)',
    csatSummary: 'Ø {avg} von 5 · {satisfied} zufrieden · {answered} von {asked} bewertet',
    level: 'Ebene',
    agent: 'Person',
    asked: 'Gefragt',
    answered_csat: 'Bewertet',
    avg_score: 'Ø Note (1–5)',
    satisfied_pct: 'Zufrieden (%)',
  },
  en: {
    title: 'Results',
    from: 'From',
    to: 'To',
    channel: 'Channel',
    allChannels: 'All channels',
    campaign: 'Campaign',
    allCampaigns: 'All campaigns',
    csv: 'Download CSV',
    loading: 'Loading …',
    empty: 'No data in this period.',
    failed: 'Could not load: {error}',
    conversations: 'Conversations per day and channel',
    contacts: 'New and returning contacts',
    new_contacts: 'New',
    returning_contacts: 'Returning',
    service: 'Service questions per day',
    answered: 'Answered',
    asked_back: 'Asked back',
    declined: 'Did not know',
    handed_over: 'Handed to a person',
    answerRate: 'Answer rate: {rate}',
    feedback: '"Did that help?"',
    yes: 'Yes',
    no: 'No',
    unanswered: 'Most frequent unanswered questions',
    question: 'Question',
    asks: 'Asked',
    openConversation: 'Open conversation',
    newsletter: 'Newsletter: subscribers per topic (end of day)',
    subscribers: 'Subscribers',
    erased: 'Erased (GDPR)',
    clicked: 'Clicked',
    confirmed: 'Confirmed',
    unsubscribed: 'Unsubscribed',
    net: 'Net',
    topic: 'Topic',
    day: 'Day',
    broadcasts: 'Broadcasts: funnel (48 h)',
    sent: 'Sent',
    delivered: 'Delivered',
    read: 'Read',
    replied: 'Replied',
    referrals: 'Referrals per campaign',
    links: 'Links handed out',
    shared: 'Shared & clicked',
    visitors: 'Visitors',
    buyers: 'Buyers',
    geo: 'Referrals by country and region',
    country: 'Country',
    region: 'Region',
    topReferrers: 'Top referrers',
    referrer: 'Name',
    clicks: 'Clicks',
    unique_clicks: 'Unique clicks',
    name: 'Name',
    last_asked: 'Last',
    conversions: 'Purchases',
    leaderboard: 'Leaderboard',
    rank: 'Rank',
    joined: 'Friends',
    events: 'Events',
    reminders_requested: 'Reminder asked for',
    reminders_sent: 'Reminder sent',
    ics_downloads: '.ics downloads',
    handoff: 'Handoffs to a person per team',
    team: 'Team',
    handoffs: 'Handoffs',
    taken: 'Taken',
    avg_wait_s: 'Avg wait (s)',
    avg_first_response_s: 'Avg first response (s)',
    csat: 'Satisfaction after chats with a person (CSAT)',
    csatSummary: 'Avg {avg} of 5 · {satisfied} satisfied · {answered} of {asked} rated',
    level: 'Level',
    agent: 'Person',
    asked: 'Asked',
    answered_csat: 'Rated',
    avg_score: 'Avg score (1–5)',
    satisfied_pct: 'Satisfied (%)',
  },
};
type Key = keyof typeof TEXTS.de;
type T = (key: Key, values?: Record<string, string | number>) => string;

const CHANNELS = [
  'telegram',
  'whatsapp-cloud',
  'whatsapp-web',
  'messenger-meta',
  'messenger-botframework',
  'webchat',
];
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function useFigure(ctx: ScreenContext, name: string, filter: FigureFilter) {
  const [state, setState] = useState<{ table?: FigureTable; error?: string }>({});
  useEffect(() => {
    let live = true;
    setState({});
    ctx
      .api<FigureTable>('GET', `/insights/${name}?${figureQuery(filter)}`)
      .then((table) => live && setState({ table }))
      .catch(
        (error: unknown) =>
          live && setState({ error: error instanceof Error ? error.message : String(error) }),
      );
    return () => {
      live = false;
    };
  }, [name, filter.from, filter.to, filter.channel, filter.campaign]);
  return state;
}

function Panel(props: {
  ctx: ScreenContext;
  t: T;
  name: string;
  title: string;
  filter: FigureFilter;
  wide?: boolean;
  children: (table: FigureTable) => ComponentChildren;
}) {
  const { table, error } = useFigure(props.ctx, props.name, props.filter);
  return (
    <section class={`mk-panel${props.wide ? ' mk-wide' : ''}`} data-figure={props.name}>
      <header class="mk-panel-head">
        <h2>{props.title}</h2>
        <a
          class="mk-csv"
          href={`/console/api/insights/${props.name}?${figureQuery(props.filter, { format: 'csv' })}`}
          download
        >
          {props.t('csv')}
        </a>
      </header>
      {error ? (
        <p class="mk-error">{props.t('failed', { error })}</p>
      ) : !table ? (
        <p class="mk-muted">{props.t('loading')}</p>
      ) : table.rows.length === 0 ? (
        <p class="mk-muted mk-empty">{props.t('empty')}</p>
      ) : (
        props.children(table)
      )}
    </section>
  );
}

/** A bar chart with one dataset per value column, labelled by `labelColumn` (a day, a campaign, …). */
function barConfig(
  table: FigureTable,
  labelColumn: string,
  valueColumns: string[],
  t: T,
  options: { stacked?: boolean; horizontal?: boolean } = {},
): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: table.rows.map((r) => String(r[labelColumn] ?? '')),
      datasets: valueColumns.map((column, index) => ({
        label: t(column as Key),
        data: table.rows.map((r) => num(r[column])),
        backgroundColor: PALETTE[index % PALETTE.length],
      })),
    },
    options: {
      indexAxis: options.horizontal ? 'y' : 'x',
      scales: {
        x: { stacked: options.stacked ?? false },
        y: { stacked: options.stacked ?? false, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

/** Rows with (day, series, value) as one dataset per series over the days. */
function seriesConfig(
  table: FigureTable,
  seriesColumn: string,
  valueColumn: string,
  type: 'bar' | 'line',
): ChartConfiguration<'bar' | 'line'> {
  const days = distinct(table.rows, 'day').sort();
  const series = distinct(table.rows, seriesColumn).sort();
  return {
    type,
    data: {
      labels: days,
      datasets: series.map((name, index) => ({
        label: name,
        data: days.map((day) =>
          num(table.rows.find((r) => r.day === day && String(r[seriesColumn]) === name)?.[valueColumn]),
        ),
        backgroundColor: PALETTE[index % PALETTE.length],
        borderColor: PALETTE[index % PALETTE.length],
      })),
    },
    options: {
      scales: {
        x: { stacked: type === 'bar' },
        y: { stacked: type === 'bar', beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

function Table(props: {
  table: FigureTable;
  columns: string[];
  t: T;
  cell?: (column: string, row: FigureTable['rows'][number]) => ComponentChildren;
}) {
  return (
    <table class="mk-table">
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c} scope="col">
              {props.t(c as Key)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.table.rows.map((row, index) => (
          <tr key={index}>
            {props.columns.map((c) => (
              <td key={c} class={typeof row[c] === 'number' ? 'mk-num' : ''}>
                {props.cell ? props.cell(c, row) : (row[c] ?? '–')}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Chart(props: { config: ChartConfiguration<'bar' | 'line'>; label: string; id: string }) {
  // The config object is rebuilt only when its table changes, so the chart is not redrawn on every render.
  return <ChartCanvas config={props.config} label={props.label} testId={`chart-${props.id}`} />;
}

function Dashboard({ ctx }: { ctx: ScreenContext }) {
  const t = textsFor(TEXTS, ctx.locale);
  const today = Date.now();
  const [filter, setFilter] = useState<FigureFilter>({
    from: isoDay(today - 29 * DAY_MS),
    to: isoDay(today),
    channel: '',
    campaign: '',
  });
  const set = (patch: Partial<FigureFilter>) => setFilter((current) => ({ ...current, ...patch }));
  const common = { ctx, t, filter };
  const canOpenInbox = ctx.capabilities.includes('inbox');
  return (
    <div class="mk-dashboard">
      <form class="mk-filters" onSubmit={(e) => e.preventDefault()}>
        <h1>{t('title')}</h1>
        <label>
          {t('from')}
          <input
            type="date"
            name="from"
            value={filter.from}
            max={filter.to}
            onChange={(e) => set({ from: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('to')}
          <input
            type="date"
            name="to"
            value={filter.to}
            min={filter.from}
            onChange={(e) => set({ to: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('channel')}
          <select
            name="channel"
            value={filter.channel}
            onChange={(e) => set({ channel: e.currentTarget.value })}
          >
            <option value="">{t('allChannels')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('campaign')}
          <input
            name="campaign"
            placeholder={t('allCampaigns')}
            value={filter.campaign}
            onChange={(e) => set({ campaign: e.currentTarget.value.trim() })}
          />
        </label>
      </form>
      <div class="mk-grid">
        <Panel {...common} name="referrals" title={t('referrals')}>
          {(table) => (
            <>
              <Memo
                table={table}
                build={(x) =>
                  barConfig(x, 'campaign', ['links', 'shared', 'visitors', 'new_contacts', 'buyers'], t)
                }
                label={t('referrals')}
                id="referrals"
              />
              <Table
                table={table}
                columns={['campaign', 'links', 'shared', 'visitors', 'new_contacts', 'buyers']}
                t={t}
              />
            </>
          )}
        </Panel>
        <Panel {...common} name="referrals-geo" title={t('geo')}>
          {(table) => (
            <>
              <Memo
                table={table}
                build={(x) =>
                  barConfig(
                    {
                      ...x,
                      rows: x.rows.map((r) => ({
                        ...r,
                        place: r.region === 'unknown' ? `${r.country}` : `${r.region}`,
                      })),
                    },
                    'place',
                    ['visitors', 'buyers'],
                    t,
                    { horizontal: true },
                  )
                }
                label={t('geo')}
                id="referrals-geo"
              />
              <Table table={table} columns={['country', 'region', 'visitors', 'buyers']} t={t} />
            </>
          )}
        </Panel>
        <Panel {...common} name="top-referrers" title={t('topReferrers')}>
          {(table) => (
            <Table
              table={table}
              columns={['referrer', 'clicks', 'unique_clicks', 'new_contacts', 'conversions']}
              t={t}
            />
          )}
        </Panel>
        <Panel {...common} name="leaderboard" title={t('leaderboard')}>
          {(table) => <Table table={table} columns={['rank', 'name', 'joined', 'conversions']} t={t} />}
        </Panel>
        <Panel {...common} name="conversations" title={t('conversations')}>
          {(table) => (
            <Memo
              table={table}
              build={(x) => seriesConfig(x, 'channel', 'conversations', 'bar')}
              label={t('conversations')}
              id="conversations"
            />
          )}
        </Panel>
        <Panel {...common} name="contacts" title={t('contacts')}>
          {(table) => (
            <Memo
              table={table}
              build={(x) => barConfig(x, 'day', ['new_contacts', 'returning_contacts'], t, { stacked: true })}
              label={t('contacts')}
              id="contacts"
            />
          )}
        </Panel>
        <Panel {...common} name="service" title={t('service')}>
          {(table) => (
            <>
              <p class="mk-kpi">
                {t('answerRate', {
                  rate:
                    table.summary?.answer_rate == null
                      ? '–'
                      : `${Math.round(table.summary.answer_rate * 1000) / 10} %`,
                })}
              </p>
              <Memo
                table={table}
                build={(x) =>
                  barConfig(x, 'day', ['answered', 'asked_back', 'declined', 'handed_over'], t, {
                    stacked: true,
                  })
                }
                label={t('service')}
                id="service"
              />
            </>
          )}
        </Panel>
        <Panel {...common} name="service-feedback" title={t('feedback')}>
          {(table) => (
            <Memo
              table={table}
              build={(x) => barConfig(x, 'day', ['yes', 'no'], t, { stacked: true })}
              label={t('feedback')}
              id="service-feedback"
            />
          )}
        </Panel>
        <Panel {...common} name="unanswered" title={t('unanswered')} wide>
          {(table) => (
            <Table
              table={table}
              columns={['question', 'asks', 'last_asked', 'conversation_id']}
              t={t}
              cell={(column, row) =>
                column === 'conversation_id' ? (
                  row.conversation_id && canOpenInbox ? (
                    <button type="button" class="mk-link" onClick={() => ctx.navigate('inbox')}>
                      {t('openConversation')}
                    </button>
                  ) : null
                ) : column === 'last_asked' ? (
                  String(row.last_asked ?? '').slice(0, 10)
                ) : (
                  (row[column] ?? '–')
                )
              }
            />
          )}
        </Panel>
        <Panel {...common} name="newsletter" title={t('newsletter')} wide>
          {(table) => (
            <>
              <Memo
                table={table}
                build={(x) => seriesConfig(x, 'topic', 'subscribers', 'line')}
                label={t('newsletter')}
                id="newsletter"
              />
              <Table
                table={table}
                columns={['day', 'topic', 'confirmed', 'unsubscribed', 'erased', 'net', 'subscribers']}
                t={t}
              />
            </>
          )}
        </Panel>
        <Panel {...common} name="broadcasts" title={t('broadcasts')} wide>
          {(table) => (
            <>
              <Memo
                table={table}
                build={(x) =>
                  barConfig(x, 'name', ['sent', 'delivered', 'read', 'replied', 'clicked', 'unsubscribed'], t)
                }
                label={t('broadcasts')}
                id="broadcasts"
              />
              <Table
                table={table}
                columns={['name', 'topic', 'sent', 'delivered', 'read', 'replied', 'clicked', 'unsubscribed']}
                t={t}
              />
            </>
          )}
        </Panel>
        <Panel {...common} name="events" title={t('events')}>
          {(table) => (
            <Memo
              table={table}
              build={(x) =>
                barConfig(x, 'title', ['reminders_requested', 'reminders_sent', 'ics_downloads'], t)
              }
              label={t('events')}
              id="events"
            />
          )}
        </Panel>
        <Panel {...common} name="handoff" title={t('handoff')}>
          {(table) => (
            <>
              <Memo
                table={table}
                build={(x) => barConfig(x, 'team', ['avg_wait_s', 'avg_first_response_s'], t)}
                label={t('handoff')}
                id="handoff"
              />
              <Table
                table={table}
                columns={['team', 'handoffs', 'taken', 'avg_wait_s', 'avg_first_response_s']}
                t={t}
              />
            </>
          )}
        </Panel>
        <Panel {...common} name="csat" title={t('csat')} wide>
          {(table) => {
            const sum = table.summary ?? {};
            const agents = { ...table, rows: table.rows.filter((r) => r.level === 'agent') };
            return (
              <>
                <p class="mk-kpi" data-testid="csat-summary">
                  {t('csatSummary', {
                    avg: sum.avg_score == null ? '–' : String(sum.avg_score),
                    satisfied: sum.satisfied_pct == null ? '–' : `${sum.satisfied_pct} %`,
                    answered: sum.answered ?? 0,
                    asked: sum.asked ?? 0,
                  })}
                </p>
                <Memo
                  table={agents}
                  build={(x) => {
                    // Scores run 1–5: a fixed axis, so a 4 does not look like a full bar.
                    const config = barConfig(x, 'agent', ['avg_score'], t, { horizontal: true });
                    const scales = config.options?.scales ?? {};
                    return {
                      ...config,
                      options: {
                        ...config.options,
                        scales: { ...scales, x: { ...scales.x, min: 0, max: 5 } },
                      },
                    };
                  }}
                  label={t('csat')}
                  id="csat"
                />
                <Table
                  table={table}
                  columns={['level', 'team', 'agent', 'asked', 'answered', 'avg_score', 'satisfied_pct']}
                  t={(key, values) => (key === 'answered' ? t('answered_csat') : t(key, values))}
                  cell={(column, row) =>
                    column === 'level'
                      ? t(row.level === 'team' ? 'team' : 'agent')
                      : column === 'agent' && row.level === 'team'
                        ? '–'
                        : (row[column] ?? '–')
                  }
                />
              </>
            );
          }}
        </Panel>
      </div>
    </div>
  );
}

/** Builds the chart config once per table. */
function Memo(props: {
  table: FigureTable;
  build: (table: FigureTable) => ChartConfiguration<'bar'> | ChartConfiguration<'bar' | 'line'>;
  label: string;
  id: string;
}) {
  const config = useMemo(() => props.build(props.table), [props.table]);
  return <Chart config={config as ChartConfiguration<'bar' | 'line'>} label={props.label} id={props.id} />;
}

export const mount = defineScreen(Dashboard);
