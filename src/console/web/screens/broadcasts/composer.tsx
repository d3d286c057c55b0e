/**
 * The composer: topic and channels (the audience is always the topic's confirmed subscribers, counted live
 * per channel with how each would get it), text per locale, an optional link button, image and WhatsApp
 * template, a preview per channel through the channels' own renderers, and send now or schedule — after a
 * confirmation that names the number of people.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import { TemplateCheck } from './template-check.js';
import type { T, TextKey } from './texts.js';
import type {
  Audience,
  Broadcast,
  BroadcastContent,
  ChannelInfo,
  ChannelPreview,
  RenderAnswer,
  Setup,
} from './types.js';

const CHANNEL_LABELS: Record<string, string> = {
  telegram: 'Telegram',
  'whatsapp-cloud': 'WhatsApp (Cloud API)',
  'whatsapp-web': 'WhatsApp Web',
  'messenger-meta': 'Messenger',
  'messenger-botframework': 'Messenger (Azure)',
  webchat: 'Web-Chat',
};
export const channelLabel = (channel: string) => CHANNEL_LABELS[channel] ?? channel;

/** Waits until the inputs rest for `ms` before calling `run`; the answer of a superseded call is dropped. */
function useDebounced<V>(
  deps: unknown[],
  ms: number,
  run: () => Promise<V> | null,
  enabled = true,
): V | null {
  const [value, setValue] = useState<V | null>(null);
  const first = useRef(true);
  useEffect(() => {
    // Nothing to ask for (e.g. the text was emptied): clear at once, not after the delay.
    if (!enabled) {
      setValue(null);
      return;
    }
    let live = true;
    // The first answer is wanted at once; later ones once the typing stops.
    const wait = first.current ? 0 : ms;
    first.current = false;
    const timer = setTimeout(() => {
      const promise = run();
      if (!promise) {
        setValue(null);
        return;
      }
      promise.then((v) => live && setValue(v)).catch(() => live && setValue(null));
    }, wait);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, deps);
  return value;
}

function localDateTime(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function Composer(props: {
  ctx: ScreenContext;
  t: T;
  setup: Setup;
  onCreated: (broadcast: Broadcast) => void;
}) {
  const { ctx, t, setup } = props;
  const [name, setName] = useState('');
  const [topic, setTopic] = useState(setup.topics[0]?.id ?? '');
  const [channels, setChannels] = useState<string[]>([]);
  const [tags, setTags] = useState('');
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [buttonLabel, setButtonLabel] = useState('');
  const [buttonUrl, setButtonUrl] = useState('');
  const [imageUrl, setImageUrl] = useState('');
  const [template, setTemplate] = useState('');
  const [previewLocale, setPreviewLocale] = useState(setup.defaultLocale);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [at, setAt] = useState(localDateTime(Date.now() + 60 * 60_000));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const tagList = [
    ...new Set(
      tags
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
  const segment = {
    ...(channels.length > 0 ? { channels } : {}),
    ...(tagList.length > 0 ? { tags: { any: tagList } } : {}),
  };
  const content = useMemo((): BroadcastContent | null => {
    const filled = Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim() !== ''));
    if (Object.keys(filled).length === 0) return null;
    return {
      text: filled,
      ...(buttonLabel.trim() && buttonUrl.trim()
        ? { buttons: [{ label: buttonLabel.trim(), url: buttonUrl.trim() }] }
        : {}),
      ...(imageUrl.trim() ? { media: { url: imageUrl.trim(), kind: 'image' as const } } : {}),
      ...(template ? { whatsappTemplate: template } : {}),
    };
  }, [texts, buttonLabel, buttonUrl, imageUrl, template]);

  const audience = useDebounced<Audience>(
    [topic, channels.join(','), tagList.join(','), template],
    250,
    () =>
      topic
        ? ctx.api<Audience>('POST', '/marketing/broadcasts/audience', {
            topic,
            segment,
            ...(template ? { content: { whatsappTemplate: template } } : {}),
          })
        : null,
  );
  const rendered = useDebounced<RenderAnswer>(
    [JSON.stringify(content), previewLocale],
    300,
    () =>
      content
        ? ctx.api<RenderAnswer>('POST', '/marketing/broadcasts/render', {
            content,
            locales: [previewLocale],
          })
        : null,
    content !== null,
  );

  const toggleChannel = (channel: string, on: boolean) =>
    setChannels((current) => {
      const next = on ? [...current, channel] : current.filter((c) => c !== channel);
      return next.length === setup.channels.length ? [] : next;
    });
  const channelChecked = (channel: string) => channels.length === 0 || channels.includes(channel);

  const submit = async () => {
    if (!content) return;
    setBusy(true);
    setError(null);
    try {
      const created = await ctx.api<Broadcast>('POST', '/marketing/broadcasts', {
        ...(name.trim() ? { name: name.trim() } : {}),
        topic,
        content,
        segment,
        send: when === 'now' ? 'now' : { at: new Date(at).toISOString() },
      });
      ctx.toast(t(when === 'now' ? 'sentToast' : 'scheduledToast', { name: created.name }));
      setConfirming(false);
      setTexts({});
      setName('');
      setButtonLabel('');
      setButtonUrl('');
      setImageUrl('');
      setTemplate('');
      props.onCreated(created);
    } catch (e) {
      const failure = e as Error & { body?: { details?: Array<{ path: string; message: string }> } };
      const details = failure.body?.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
      setError(details ? `${failure.message} (${details})` : failure.message);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  const recipients = audience?.recipients ?? 0;
  const shownChannels = setup.channels.filter(
    (c) =>
      (audience?.byChannel[c.channel] ?? 0) > 0 || (audience?.recipients === 0 && channelChecked(c.channel)),
  );
  const otherChannels = setup.channels.filter((c) => !shownChannels.includes(c));
  const card = (info: ChannelInfo) => {
    const preview = rendered?.previews[info.channel]?.[previewLocale];
    return preview ? (
      <PreviewCard
        key={info.channel}
        t={t}
        info={info}
        preview={preview}
        count={audience?.byChannel[info.channel] ?? 0}
        template={info.channel === 'whatsapp-cloud' ? (rendered?.template?.[previewLocale] ?? null) : null}
      />
    ) : null;
  };
  const formattedAt = new Date(at).toLocaleString(ctx.locale === 'en' ? 'en-GB' : 'de-DE', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });

  return (
    <form class="bc-composer" onSubmit={(e) => e.preventDefault()} aria-labelledby="bc-compose-title">
      <h2 id="bc-compose-title">{t('compose')}</h2>
      <div class="bc-fields">
        <label>
          {t('topic')}
          <select name="topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
            {setup.topics.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} ({t('subscribers', { n: x.subscribers })})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('name')}
          <input
            name="name"
            value={name}
            placeholder={t('namePlaceholder')}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
      </div>
      <fieldset class="bc-channels">
        <legend>{t('channels')}</legend>
        {setup.channels.map((c) => (
          <label key={c.channel} class="bc-check">
            <input
              type="checkbox"
              name={`channel-${c.channel}`}
              checked={channelChecked(c.channel)}
              onChange={(e) => toggleChannel(c.channel, e.currentTarget.checked)}
            />
            {channelLabel(c.channel)}
          </label>
        ))}
      </fieldset>
      <label class="bc-text">
        {t('tags')}
        <input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      {setup.locales.map((locale) => (
        <label key={locale} class="bc-text">
          {t('text', { locale })}
          <textarea
            name={`text-${locale}`}
            rows={5}
            value={texts[locale] ?? ''}
            onInput={(e) => setTexts((current) => ({ ...current, [locale]: e.currentTarget.value }))}
          />
        </label>
      ))}
      <p class="bc-muted">{t('textHint', { locale: setup.defaultLocale })}</p>
      <div class="bc-fields">
        <label>
          {t('button')}: {t('buttonLabel')}
          <input
            name="button-label"
            maxLength={40}
            value={buttonLabel}
            onInput={(e) => setButtonLabel(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('buttonUrl')}
          <input
            name="button-url"
            type="url"
            value={buttonUrl}
            onInput={(e) => setButtonUrl(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('image')}
          <input
            name="image"
            type="url"
            value={imageUrl}
            onInput={(e) => setImageUrl(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('template')}
          <select name="template" value={template} onChange={(e) => setTemplate(e.currentTarget.value)}>
            <option value="">{t('noTemplate')}</option>
            {setup.templates.map((x) => (
              <option key={x.name} value={x.name}>
                {x.name} ({x.languages.map((l) => l.language).join(', ')})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="bc-muted">{t('templateHint')}</p>
      <TemplateCheck ctx={ctx} t={t} />

      <section class="bc-audience" aria-live="polite" aria-labelledby="bc-audience-title">
        <h3 id="bc-audience-title">{t('audience')}</h3>
        <p class="bc-muted">{t('audienceNote')}</p>
        {audience === null ? null : audience.recipients === 0 ? (
          <p>{t('none')}</p>
        ) : (
          <>
            <p class="bc-count" data-testid="audience-count">
              {t('recipients', { n: audience.recipients })}
            </p>
            <table class="bc-table" data-testid="audience-table">
              <thead>
                <tr>
                  <th scope="col">{t('channels')}</th>
                  <th scope="col" class="bc-num">
                    Σ
                  </th>
                  <th scope="col" class="bc-num">
                    {t('asText')}
                  </th>
                  <th scope="col" class="bc-num">
                    {t('asTemplate')}
                  </th>
                  <th scope="col" class="bc-num">
                    {t('held')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(audience.byChannel).map(([channel, n]) => {
                  const d = audience.delivery[channel] ?? { text: n, template: 0, held: 0 };
                  return (
                    <tr key={channel} data-channel={channel}>
                      <td>{channelLabel(channel)}</td>
                      <td class="bc-num">{n}</td>
                      <td class="bc-num">{d.text}</td>
                      <td class="bc-num">{d.template || '–'}</td>
                      <td class={d.held ? 'bc-num bc-warn' : 'bc-num'} title={d.held ? t('heldHint') : ''}>
                        {d.held || '–'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {Object.values(audience.delivery).some((d) => d.held > 0) ? (
              <p class="bc-warn">{t('heldHint')}</p>
            ) : null}
            {audience.templateRecipients.length > 0 ? (
              <div class="bc-template-list" data-testid="template-recipients">
                <p>{t('templateRecipients')}</p>
                <ul>
                  {audience.templateRecipients.map((r) => (
                    <li key={r.contactId}>
                      <strong>{r.name ?? r.contactId}</strong> ({r.language}): {r.text}
                    </li>
                  ))}
                </ul>
                {(audience.delivery['whatsapp-cloud']?.template ?? 0) > audience.templateRecipients.length ? (
                  <p class="bc-muted">
                    {t('more', {
                      n:
                        (audience.delivery['whatsapp-cloud']?.template ?? 0) -
                        audience.templateRecipients.length,
                    })}
                  </p>
                ) : null}
              </div>
            ) : null}
          </>
        )}
      </section>

      <section class="bc-preview" aria-labelledby="bc-preview-title">
        <div class="bc-preview-head">
          <h3 id="bc-preview-title">{t('preview')}</h3>
          {setup.locales.length > 1 ? (
            <label>
              {t('previewLocale')}
              <select
                name="preview-locale"
                value={previewLocale}
                onChange={(e) => setPreviewLocale(e.currentTarget.value)}
              >
                {setup.locales.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        {rendered ? (
          <>
            <div class="bc-preview-grid">{shownChannels.map(card)}</div>
            {otherChannels.length > 0 ? (
              <details class="bc-more-channels">
                <summary>{t('otherChannels')}</summary>
                <div class="bc-preview-grid">{otherChannels.map(card)}</div>
              </details>
            ) : null}
          </>
        ) : null}
      </section>

      <fieldset class="bc-when">
        <legend>{t('when')}</legend>
        <label class="bc-check">
          <input type="radio" name="when" checked={when === 'now'} onChange={() => setWhen('now')} />
          {t('now')}
        </label>
        <label class="bc-check">
          <input type="radio" name="when" checked={when === 'later'} onChange={() => setWhen('later')} />
          {t('later')}
        </label>
        {when === 'later' ? (
          <input
            type="datetime-local"
            name="at"
            aria-label={t('later')}
            value={at}
            onInput={(e) => setAt(e.currentTarget.value)}
          />
        ) : null}
      </fieldset>
      {error ? (
        <p class="bc-error" role="alert">
          {t('error', { message: error })}
        </p>
      ) : null}
      {confirming ? (
        <div
          class="bc-confirm"
          role="alertdialog"
          aria-label={t(when === 'now' ? 'submitNow' : 'submitLater')}
        >
          <p>
            {when === 'now'
              ? t('confirmNow', { n: recipients })
              : t('confirmLater', { n: recipients, at: formattedAt })}
          </p>
          <button type="button" class="bc-primary" disabled={busy} onClick={submit}>
            {t(when === 'now' ? 'yesSend' : 'yesSchedule')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          class="bc-primary"
          disabled={!content || !topic || recipients === 0}
          onClick={() => setConfirming(true)}
        >
          {t(when === 'now' ? 'submitNow' : 'submitLater')}
        </button>
      )}
    </form>
  );
}

function PreviewCard(props: {
  t: T;
  info: ChannelInfo;
  preview: ChannelPreview;
  count: number;
  template: { language: string; text: string } | null;
}) {
  const { t, info, preview } = props;
  const parts = preview.bubbles.filter((b) => b.text).length;
  return (
    <article class="bc-card" data-preview={info.channel}>
      <header>
        <strong>{channelLabel(info.channel)}</strong>
        {props.count > 0 ? <span class="bc-muted"> · {props.count}</span> : null}
      </header>
      <div class="bc-phone">
        {preview.bubbles.map((bubble, index) => (
          <div key={index} class={`bc-bubble bc-style-${bubble.style}`}>
            {bubble.media ? (
              <div class="bc-media">
                {t('mediaLabel')}: {bubble.media}
              </div>
            ) : null}
            {bubble.text ? (
              <div class="bc-bubble-text">
                {info.formatting === 'whatsapp' ? <WhatsAppFormatted text={bubble.text} /> : bubble.text}
              </div>
            ) : null}
            {bubble.listButton ? <div class="bc-chip">≡ {bubble.listButton}</div> : null}
            {(bubble.buttons ?? []).map((row, r) => (
              <div key={r} class="bc-row">
                {row.map((label) => (
                  <span key={label} class="bc-chip">
                    {label}
                  </span>
                ))}
              </div>
            ))}
            {(bubble.links ?? []).map((link) => (
              <div key={link.url} class="bc-chip bc-link" title={link.url}>
                {link.label} ↗
              </div>
            ))}
          </div>
        ))}
        {props.template ? (
          <div class="bc-bubble bc-template" data-testid="template-preview">
            <div class="bc-muted">{t('templateText', { language: props.template.language })}</div>
            <div class="bc-bubble-text">
              <WhatsAppFormatted text={props.template.text} />
            </div>
          </div>
        ) : null}
      </div>
      <p class={preview.length > preview.limit ? 'bc-warn' : 'bc-muted'}>
        {t('length', { n: preview.length, limit: preview.limit })}
        {preview.length > preview.limit
          ? ` — ${t('tooLong', { channel: channelLabel(info.channel), parts })}`
          : ''}
      </p>
      {preview.refused ? <p class="bc-error">{t('refused', { reason: preview.refused })}</p> : null}
      <p class="bc-muted">{t(`formatting_${info.formatting}` as TextKey)}</p>
    </article>
  );
}

/** WhatsApp's own markup as the customer sees it: *bold*, _italic_, ~strikethrough~ (one level, no nesting). */
export function WhatsAppFormatted(props: { text: string }) {
  const parts: Array<string | { tag: 'strong' | 'em' | 's'; text: string }> = [];
  const pattern = /([*_~])(?=\S)([^\n]*?\S)\1/g;
  let last = 0;
  for (const match of props.text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(props.text.slice(last, index));
    const tag = match[1] === '*' ? 'strong' : match[1] === '_' ? 'em' : 's';
    parts.push({ tag, text: match[2] ?? '' });
    last = index + match[0].length;
  }
  if (last < props.text.length) parts.push(props.text.slice(last));
  return (
    <>
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : part.tag === 'strong' ? (
          <strong key={i}>{part.text}</strong>
        ) : part.tag === 'em' ? (
          <em key={i}>{part.text}</em>
        ) : (
          <s key={i}>{part.text}</s>
        ),
      )}
    </>
  );
}
