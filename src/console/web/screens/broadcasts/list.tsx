/**
 * Past and scheduled broadcasts: status, progress while it goes out (handled of recipients, queued, waiting,
 * failed), the 48-hour funnel as a chart with its numbers, and cancel for scheduled or running ones.
 */
import type { ChartConfiguration } from 'chart.js/auto';
import { useMemo, useState } from 'preact/hooks';
import { ChartCanvas, PALETTE } from '../../marketing/chart.js';
import type { ScreenContext } from '../../shared/context.js';
import type { T, TextKey } from './texts.js';
import type { Broadcast } from './types.js';

const FUNNEL = ['sent', 'delivered', 'read', 'replied', 'clicked', 'unsubscribed'] as const;

function statusKey(b: Broadcast): TextKey {
  if (b.status === 'sent' && b.statistics.queued > 0) return 'status_delivering';
  return `status_${b.status}` as TextKey;
}

export function BroadcastList(props: {
  ctx: ScreenContext;
  t: T;
  items: Broadcast[];
  selected: string | null;
  onSelect: (id: string) => void;
  onChanged: () => void;
}) {
  const { t, items } = props;
  if (items.length === 0) return <p class="bc-muted">{t('empty')}</p>;
  return (
    <ul class="bc-list">
      {items.map((b) => (
        <li key={b.id}>
          <BroadcastCard {...props} broadcast={b} open={b.id === props.selected} />
        </li>
      ))}
    </ul>
  );
}

function BroadcastCard(props: {
  ctx: ScreenContext;
  t: T;
  broadcast: Broadcast;
  open: boolean;
  onSelect: (id: string) => void;
  onChanged: () => void;
}) {
  const { ctx, t, broadcast: b } = props;
  const [stopping, setStopping] = useState(false);
  const s = b.statistics;
  const total = Math.max(s.recipients, b.recipients);
  const done = s.sent + s.failed + s.cancelled;
  const fmt = (iso: string | null) =>
    iso
      ? new Date(iso).toLocaleString(ctx.locale === 'en' ? 'en-GB' : 'de-DE', {
          dateStyle: 'medium',
          timeStyle: 'short',
        })
      : '';
  const cancel = async () => {
    try {
      const answer = await ctx.api<{ cancelledRows: number }>(
        'POST',
        `/marketing/broadcasts/${encodeURIComponent(b.id)}/cancel`,
      );
      ctx.toast(answer.cancelledRows > 0 ? t('stopped', { n: answer.cancelledRows }) : t('stoppedBefore'));
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
    setStopping(false);
    props.onChanged();
  };
  // A fanned-out broadcast can still be stopped while messages wait (pacing, or a closed window).
  const cancellable =
    b.status === 'scheduled' ||
    b.status === 'running' ||
    b.status === 'draft' ||
    (b.status === 'sent' && s.queued + s.held > 0);
  return (
    <article class={props.open ? 'bc-item bc-open' : 'bc-item'} data-broadcast={b.id} data-status={b.status}>
      <button
        type="button"
        class="bc-item-head"
        aria-expanded={props.open}
        onClick={() => props.onSelect(b.id)}
      >
        <strong>{b.name}</strong>
        <span class={`bc-status bc-status-${b.status}`} data-testid="status">
          {t(statusKey(b))}
        </span>
      </button>
      <p class="bc-muted">
        {b.topic} ·{' '}
        {b.startedAt
          ? t('startedAt', { at: fmt(b.startedAt) })
          : t('scheduledFor', { at: fmt(b.scheduledAt) })}
      </p>
      {b.startedAt !== null ? (
        <div class="bc-progress" data-testid="progress">
          <progress max={Math.max(total, 1)} value={done} aria-label={t('progress', { done, total })} />
          <span>{t('progress', { done, total })}</span>
          {s.queued ? (
            <span class="bc-muted">
              {' '}
              · {s.queued} {t('queued')}
            </span>
          ) : null}
          {s.held ? (
            <span class="bc-warn">
              {' '}
              · {s.held} {t('held')}
            </span>
          ) : null}
          {s.failed ? (
            <span class="bc-error">
              {' '}
              · {s.failed} {t('failed')}
            </span>
          ) : null}
          {s.cancelled ? (
            <span class="bc-muted">
              {' '}
              · {s.cancelled} {t('cancelled')}
            </span>
          ) : null}
        </div>
      ) : null}
      <table class="bc-funnel" data-testid="funnel">
        <thead>
          <tr>
            {FUNNEL.map((k) => (
              <th key={k} scope="col">
                {t(`f_${k}` as TextKey)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {FUNNEL.map((k) => (
              <td key={k} class="bc-num" data-funnel={k}>
                {b.funnel[k]}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {props.open && b.funnel.sent > 0 ? <FunnelChart t={t} broadcast={b} /> : null}
      {cancellable ? (
        stopping ? (
          <div class="bc-confirm" role="alertdialog" aria-label={t('stop')}>
            <p>{t('stopConfirm')}</p>
            <button type="button" class="bc-danger" onClick={cancel}>
              {t('stopYes')}
            </button>
            <button type="button" onClick={() => setStopping(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="bc-secondary" onClick={() => setStopping(true)}>
            {t('stop')}
          </button>
        )
      ) : null}
    </article>
  );
}

function FunnelChart(props: { t: T; broadcast: Broadcast }) {
  const { t, broadcast: b } = props;
  const key = FUNNEL.map((k) => b.funnel[k]).join(',');
  const config = useMemo(
    (): ChartConfiguration<'bar'> => ({
      type: 'bar',
      data: {
        labels: FUNNEL.map((k) => t(`f_${k}` as TextKey)),
        datasets: [
          {
            label: b.name,
            data: FUNNEL.map((k) => b.funnel[k]),
            backgroundColor: FUNNEL.map((_, i) => PALETTE[i % PALETTE.length]!),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
    [key, b.name],
  );
  return (
    <>
      <ChartCanvas config={config} label={`${t('funnel')}: ${b.name}`} testId={`funnel-${b.id}`} />
      <p class="bc-muted">{t('readNote')}</p>
    </>
  );
}
