/**
 * Contacts and privacy: search, the profile (channels, name, consent history, topics, referral figures,
 * conversation), the JSON export and the erasure with a confirmation step. Marketers and admins only.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ScreenContext } from '../../shared/context.js';
import { defineScreen } from '../../shared/screen.js';
import { textsFor } from '../../shared/texts.js';
import './contacts.css';

const TEXTS = {
  de: {
    title: 'Kontakte',
    search: 'Suche (Name, Telefon, Kanal-ID)',
    none: 'Keine Kontakte gefunden.',
    channel: 'Kanal',
    name: 'Name',
    lastSeen: 'Zuletzt geschrieben',
    topics: 'Themen',
    consent: 'Einwilligungen',
    referrals: 'Empfehlungen',
    clicks: '{n} Klicks auf eigene Links',
    conversation: 'Gespräch',
    messages: '{n} Nachrichten',
    export: 'Export (JSON)',
    erase: 'Kontakt löschen …',
    eraseWarn:
      'Alle Texte, Namen, Telefonnummern und Kennungen dieses Kontakts werden endgültig gelöscht. Zahlen in den Auswertungen bleiben, die Einwilligungsnachweise bleiben pseudonymisiert.',
    eraseConfirm: 'Endgültig löschen',
    cancel: 'Abbrechen',
    erased: 'Der Kontakt wurde gelöscht.',
    select: 'Wähle links einen Kontakt.',
  },
  en: {
    title: 'Contacts',
    search: 'Search (name, phone, channel id)',
    none: 'No contacts found.',
    channel: 'Channel',
    name: 'Name',
    lastSeen: 'Last wrote',
    topics: 'Topics',
    consent: 'Consent history',
    referrals: 'Referrals',
    clicks: '{n} clicks on own links',
    conversation: 'Conversation',
    messages: '{n} messages',
    export: 'Export (JSON)',
    erase: 'Erase contact …',
    eraseWarn:
      "Every text, name, phone number and identifier of this contact is deleted for good. The dashboard's numbers stay; the consent records stay, pseudonymised.",
    eraseConfirm: 'Erase for good',
    cancel: 'Cancel',
    erased: 'The contact was erased.',
    select: 'Pick a contact on the left.',
  },
};

interface ContactItem {
  id: string;
  channel: string;
  name: string | null;
  lastInboundAt: string | null;
}
interface Profile {
  id: string;
  channels: Array<{ channel: string; id: string }>;
  name: { display: string | null; first: string | null; last: string | null; username: string | null };
  phone: string | null;
  topics: Array<{ topic: string; status: string }>;
  consentHistory: Array<{ topic: string; action: string; source: string; at: string }>;
  referrals: { codes: Array<{ code: string; campaign: string; friendsJoined: number }>; clicks: number };
  conversation: { id: string; status: string; messages: number } | null;
}

function Contacts({ ctx }: { ctx: ScreenContext }) {
  const t = textsFor(TEXTS, ctx.locale);
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<ContactItem[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      ctx
        .api<{ items: ContactItem[] }>('GET', `/marketing/contacts?q=${encodeURIComponent(query)}`)
        .then((answer) => live && setItems(answer.items))
        .catch((error: Error) => ctx.toast(error.message, 'error'));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, reload]);

  useEffect(() => {
    setConfirming(false);
    setProfile(null);
    if (!selected) return;
    ctx
      .api<Profile>('GET', `/marketing/contacts/${encodeURIComponent(selected)}`)
      .then(setProfile)
      .catch((error: Error) => ctx.toast(error.message, 'error'));
  }, [selected]);

  const erase = async () => {
    if (!profile) return;
    try {
      await ctx.api('POST', `/marketing/contacts/${encodeURIComponent(profile.id)}/erase`, {
        confirm: profile.id,
      });
      ctx.toast(t('erased'));
      setSelected(null);
      setReload((n) => n + 1);
    } catch (error) {
      ctx.toast((error as Error).message, 'error');
    }
  };

  const nameOf = (p: Profile) =>
    p.name.display ?? ([p.name.first, p.name.last].filter(Boolean).join(' ') || p.name.username || p.id);

  return (
    <div class="ct-screen">
      <aside class="ct-list">
        <h1>{t('title')}</h1>
        <input
          type="search"
          aria-label={t('search')}
          placeholder={t('search')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        {items && items.length === 0 ? <p class="ct-muted">{t('none')}</p> : null}
        <ul>
          {(items ?? []).map((item) => (
            <li key={item.id}>
              <button
                type="button"
                class={item.id === selected ? 'ct-item ct-current' : 'ct-item'}
                onClick={() => setSelected(item.id)}
              >
                <strong>{item.name ?? item.id}</strong>
                <span class="ct-muted">{item.channel}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section class="ct-profile" aria-live="polite">
        {!profile ? (
          <p class="ct-muted">{t('select')}</p>
        ) : (
          <>
            <h2>{nameOf(profile)}</h2>
            <dl>
              <dt>{t('channel')}</dt>
              <dd>{profile.channels.map((c) => `${c.channel}: ${c.id}`).join(', ')}</dd>
              {profile.phone ? (
                <>
                  <dt>☎</dt>
                  <dd>{profile.phone}</dd>
                </>
              ) : null}
              <dt>{t('topics')}</dt>
              <dd>{profile.topics.map((x) => `${x.topic} (${x.status})`).join(', ') || '–'}</dd>
              <dt>{t('referrals')}</dt>
              <dd>
                {profile.referrals.codes
                  .map((c) => `${c.code} · ${c.campaign} · ${c.friendsJoined}`)
                  .join(', ') || '–'}
                {' · '}
                {t('clicks', { n: profile.referrals.clicks })}
              </dd>
              <dt>{t('conversation')}</dt>
              <dd>{profile.conversation ? t('messages', { n: profile.conversation.messages }) : '–'}</dd>
            </dl>
            <h3>{t('consent')}</h3>
            <table class="ct-table">
              <tbody>
                {profile.consentHistory.map((entry, index) => (
                  <tr key={index}>
                    <td>{entry.at.slice(0, 16).replace('T', ' ')}</td>
                    <td>{entry.topic}</td>
                    <td>{entry.action}</td>
                    <td class="ct-muted">{entry.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="ct-actions">
              <a
                class="ct-button"
                href={`/console/api/marketing/contacts/${encodeURIComponent(profile.id)}/export`}
                download
              >
                {t('export')}
              </a>
              {!confirming ? (
                <button type="button" class="ct-danger" onClick={() => setConfirming(true)}>
                  {t('erase')}
                </button>
              ) : (
                <div class="ct-confirm" role="alertdialog" aria-label={t('erase')}>
                  <p>{t('eraseWarn')}</p>
                  <button type="button" class="ct-danger" onClick={erase}>
                    {t('eraseConfirm')}
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    {t('cancel')}
                  </button>
                </div>
              )}
            </div>
          </>
        )}
      </section>
    </div>
  );
}

export const mount = defineScreen(Contacts);
