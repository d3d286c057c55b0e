/**
 * Broadcasts: compose a newsletter or notice to a topic's confirmed subscribers and send or schedule it, then
 * watch it go out and read its funnel. Broadcasts that are scheduled, fanning out or still delivering are
 * fetched again every two seconds, so progress shows without a reload. Marketers and admins only.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import { defineScreen } from '../../shared/screen.js';
import { textsFor } from '../../shared/texts.js';
import { Composer } from './composer.js';
import { BroadcastList } from './list.js';
import { TEXTS } from './texts.js';
import { type Broadcast, isLive, type Setup } from './types.js';
import './broadcasts.css';

const POLL_MS = 2_000;

function Broadcasts({ ctx }: { ctx: ScreenContext }) {
  const t = textsFor(TEXTS, ctx.locale);
  const [setup, setSetup] = useState<Setup | null>(null);
  const [items, setItems] = useState<Broadcast[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ctx
      .api<Setup>('GET', '/marketing/broadcasts/setup')
      .then(setSetup)
      .catch((e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The whole list once, then only the broadcasts still under way, every two seconds, until none is.
    const poll = (current: Broadcast[]) => {
      const moving = current.filter(isLive);
      if (moving.length === 0) return;
      timer = setTimeout(() => {
        Promise.all(
          moving.map((b) => ctx.api<Broadcast>('GET', `/marketing/broadcasts/${encodeURIComponent(b.id)}`)),
        )
          .then((fresh) => {
            if (!live) return;
            const byId = new Map(fresh.map((b) => [b.id, b]));
            const next = current.map((b) => byId.get(b.id) ?? b);
            setItems(next);
            poll(next);
          })
          .catch((e: Error) => live && setError(e.message));
      }, POLL_MS);
    };
    ctx
      .api<{ items: Broadcast[] }>('GET', '/marketing/broadcasts')
      .then((answer) => {
        if (!live) return;
        setItems(answer.items);
        poll(answer.items);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [reload]);

  return (
    <div class="bc-screen">
      <h1>{t('title')}</h1>
      {error ? <p class="bc-error">{t('error', { message: error })}</p> : null}
      <div class="bc-columns">
        {setup ? (
          <Composer
            ctx={ctx}
            t={t}
            setup={setup}
            onCreated={(created) => {
              setSelected(created.id);
              setReload((n) => n + 1);
            }}
          />
        ) : (
          <div />
        )}
        <section class="bc-history" aria-labelledby="bc-list-title">
          <h2 id="bc-list-title">{t('list')}</h2>
          {items ? (
            <BroadcastList
              ctx={ctx}
              t={t}
              items={items}
              selected={selected ?? items[0]?.id ?? null}
              onSelect={(id) => setSelected(id)}
              onChanged={() => setReload((n) => n + 1)}
            />
          ) : null}
        </section>
      </div>
    </div>
  );
}

export const mount = defineScreen(Broadcasts);
