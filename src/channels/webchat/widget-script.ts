/**
 * The embeddable chat widget, served as /webchat/widget.js: dependency-free browser JavaScript that one
 * `<script src=".../webchat/widget.js" data-title="…" defer></script>` tag turns into a chat bubble and panel.
 * It lives in a shadow root (the host page's CSS cannot break it), speaks German or English after
 * `navigator.language`, is usable by keyboard and screen reader, and survives reloads: session id,
 * transcript and the last event id are kept in localStorage, and the SSE stream resumes after that id.
 *
 * Kept as a string so the server needs no build step for it; written without backticks and "${" so it can
 * sit inside String.raw.
 */
export const WIDGET_SCRIPT = String.raw`(function () {
  'use strict';
  if (window.__plauschWidget) return;
  window.__plauschWidget = true;

  var script = document.currentScript;
  var scriptUrl = new URL((script && script.src) || '/webchat/widget.js', location.href);
  var base = scriptUrl.href.replace(/\/webchat\/widget\.js(\?.*)?$/, '');
  var data = (script && script.dataset) || {};
  var lang = String(data.lang || navigator.language || 'de').toLowerCase().indexOf('de') === 0 ? 'de' : 'en';
  var T = {
    de: {
      open: 'Chat öffnen', close: 'Chat schließen', title: 'Chat', input: 'Deine Nachricht', send: 'Senden',
      typing: 'schreibt …', retry: 'Nicht gesendet. Erneut versuchen', slow: 'Bitte etwas langsamer, gleich geht es weiter.',
      offline: 'Verbindung unterbrochen – wir verbinden neu …', you: 'Du', bot: 'Antwort', options: 'Antwortmöglichkeiten',
      opens: '(öffnet in neuem Tab)', team: 'aus dem Team', assistant: 'Chat-Assistent', file: 'Datei'
    },
    en: {
      open: 'Open chat', close: 'Close chat', title: 'Chat', input: 'Your message', send: 'Send',
      typing: 'typing …', retry: 'Not sent. Try again', slow: 'Please slow down a little, we will continue shortly.',
      offline: 'Connection lost – reconnecting …', you: 'You', bot: 'Reply', options: 'Reply options',
      opens: '(opens in a new tab)', team: 'from the team', assistant: 'Chat assistant', file: 'File'
    }
  }[lang];
  var title = data.title || T.title;
  var color = /^#[0-9a-fA-F]{3,8}$/.test(data.color || '') ? data.color : '#6b3e26';
  var params = new URLSearchParams(location.search);
  var startPayload = data.start || params.get('plausch_start') || '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(startPayload)) startPayload = '';

  var KEY = 'plausch.webchat.' + base;
  function load(name, fallback) {
    try { var v = localStorage.getItem(KEY + '.' + name); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(KEY + '.' + name, JSON.stringify(value)); } catch (e) { /* private mode: keep in memory only */ }
  }
  function randomId(length) {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    var bytes = new Uint8Array(length);
    crypto.getRandomValues(bytes);
    var out = '';
    for (var i = 0; i < length; i++) out += alphabet[bytes[i] & 63];
    return out;
  }
  var sessionId = load('session', null);
  if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(sessionId)) { sessionId = randomId(24); save('session', sessionId); }
  var transcript = load('transcript', []);
  if (!Array.isArray(transcript)) transcript = [];
  var lastEventId = Number(load('lastEventId', 0)) || 0;
  var started = load('started', false) === true;

  // ---- DOM
  var host = document.createElement('div');
  host.setAttribute('data-plausch-widget', '');
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000;display:flex;align-items:center;justify-content:center}' +
    '.bubble:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}' +
    '.panel{position:fixed;right:20px;bottom:92px;width:min(380px,calc(100vw - 24px));height:min(560px,calc(100vh - 120px));background:#fff;color:#1d1d1d;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;z-index:2147483001}' +
    '.panel[hidden]{display:none}' +
    'header{background:var(--c);color:#fff;padding:12px 14px;display:flex;align-items:center;justify-content:space-between}' +
    'header h2{font-size:16px;margin:0;font-weight:600}' +
    'header button{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:6px}' +
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#faf7f4}' +
    '.msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;font-size:14px;line-height:1.4}' +
    '.in{align-self:flex-start;background:#fff;border:1px solid #e4ddd6}' +
    '.out{align-self:flex-end;background:var(--c);color:#fff}' +
    '.failed{opacity:.7}' +
    '.msg img{max-width:100%;border-radius:8px;display:block;margin-top:4px}' +
    '.msg a{color:inherit;text-decoration:underline}' +
    '.agent{background:#eef6ee;border-color:#9cc59c}' +
    '.who{display:flex;align-items:center;gap:6px;font-size:12px;color:#5a5a5a;align-self:flex-start;margin-top:6px}' +
    '.avatar{width:24px;height:24px;border-radius:50%;background:#2e7d32;color:#fff;display:inline-flex;align-items:center;justify-content:center;font-size:12px;font-weight:700}' +
    '.avatar.bot{background:var(--c)}' +
    '@media (max-width:600px){.panel{left:0;right:0;top:0;bottom:0;width:100%;height:100%;border-radius:0}.bubble.open{display:none}}' +
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
    '.chips{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:100%}' +
    '.chips button,.chips a{border:1px solid var(--c);background:#fff;color:var(--c);border-radius:16px;padding:6px 12px;font-size:13px;cursor:pointer;text-decoration:none}' +
    '.chips button:hover,.chips a:hover{background:var(--c);color:#fff}' +
    '.note{align-self:center;font-size:12px;color:#6d6d6d;text-align:center}' +
    '.note button{font-size:12px;border:0;background:none;color:#b00020;text-decoration:underline;cursor:pointer}' +
    '.typing{font-size:12px;color:#6d6d6d;padding:0 14px 6px;min-height:18px;background:#faf7f4}' +
    'form{display:flex;gap:8px;padding:10px;border-top:1px solid #eee}' +
    'textarea{flex:1;resize:none;border:1px solid #ccc;border-radius:10px;padding:8px 10px;font-size:14px;max-height:120px}' +
    'form button{border:0;border-radius:10px;background:var(--c);color:#fff;padding:0 14px;font-size:14px;cursor:pointer}' +
    '@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}' +
    '</style>' +
    '<button class="bubble" type="button" aria-haspopup="dialog" aria-expanded="false">' +
    '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>' +
    '</button>' +
    '<section class="panel" role="dialog" aria-modal="false" hidden>' +
    '<header><h2 class="title"></h2><button class="close" type="button">×</button></header>' +
    '<div class="log" role="log" aria-live="polite" aria-relevant="additions" tabindex="0"></div>' +
    '<div class="typing" aria-live="polite"></div>' +
    '<form><label class="sr" for="plausch-input"></label>' +
    '<textarea id="plausch-input" rows="1" maxlength="4000" autocomplete="off"></textarea>' +
    '<button type="submit"></button></form>' +
    '</section>';
  var wrap = root.querySelector ? root : host;
  var bubble = wrap.querySelector('.bubble');
  var panel = wrap.querySelector('.panel');
  var log = wrap.querySelector('.log');
  var typing = wrap.querySelector('.typing');
  var form = wrap.querySelector('form');
  var input = wrap.querySelector('textarea');
  var titleId = 'plausch-title';
  panel.style.setProperty('--c', color);
  bubble.style.setProperty('--c', color);
  wrap.querySelector('.title').textContent = title;
  wrap.querySelector('.title').id = titleId;
  panel.setAttribute('aria-labelledby', titleId);
  bubble.setAttribute('aria-label', T.open);
  wrap.querySelector('.close').setAttribute('aria-label', T.close);
  wrap.querySelector('label').textContent = T.input;
  input.setAttribute('placeholder', T.input);
  form.querySelector('button').textContent = T.send;
  log.setAttribute('aria-label', title);

  // ---- rendering
  function safeUrl(url) {
    try { var u = new URL(url, base + '/'); return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null; } catch (e) { return null; }
  }
  function addLink(parent, url, label) {
    var href = safeUrl(url);
    if (!href) return;
    var a = document.createElement('a');
    a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer';
    a.textContent = label || href;
    var sr = document.createElement('span'); sr.className = 'sr'; sr.textContent = ' ' + T.opens;
    a.appendChild(sr);
    parent.appendChild(a);
  }
  // Links in texts become anchors; only http(s) ever, so "javascript:" stays plain text.
  var URL_IN_TEXT = /\b(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)/gi;
  function appendText(parent, text) {
    var last = 0, match;
    URL_IN_TEXT.lastIndex = 0;
    while ((match = URL_IN_TEXT.exec(text))) {
      var raw = match[0].replace(/[.,;:!?)\]]+$/, '');
      var href = safeUrl(raw.indexOf('www.') === 0 ? 'https://' + raw : raw);
      if (!href) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = document.createElement('a');
      a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer'; a.textContent = raw;
      parent.appendChild(a);
      last = match.index + raw.length;
      URL_IN_TEXT.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function speakerOf(entry) {
    if (entry.from === 'me') return null;
    var s = entry.speaker;
    return s && s.role === 'agent' && s.name ? { role: 'agent', name: String(s.name) } : { role: 'bot', name: T.assistant };
  }
  function addSpeaker(speaker) {
    var line = document.createElement('div'); line.className = 'who';
    var avatar = document.createElement('span'); avatar.className = 'avatar' + (speaker.role === 'bot' ? ' bot' : '');
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = speaker.role === 'bot' ? '✦' : speaker.name.charAt(0).toUpperCase();
    var name = document.createElement('span');
    name.textContent = speaker.role === 'agent' ? speaker.name + ' ' + T.team : speaker.name;
    line.appendChild(avatar); line.appendChild(name);
    log.appendChild(line);
  }
  var stick = true;
  log.addEventListener('scroll', function () { stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40; });
  function toBottom() { log.scrollTop = log.scrollHeight; stick = true; }
  function removeChips() {
    var old = log.querySelectorAll('.chips');
    for (var i = 0; i < old.length; i++) old[i].remove();
  }
  function render(entry, isLatest, previous) {
    var speaker = speakerOf(entry);
    var before = previous ? speakerOf(previous) : null;
    if (speaker && (!before || before.role !== speaker.role || before.name !== speaker.name)) addSpeaker(speaker);
    var div = document.createElement('div');
    div.className = 'msg ' + (entry.from === 'me' ? 'out' : 'in') + (speaker && speaker.role === 'agent' ? ' agent' : '') + (entry.failed ? ' failed' : '');
    var who = document.createElement('span'); who.className = 'sr'; who.textContent = (entry.from === 'me' ? T.you : speaker.name) + ': ';
    div.appendChild(who);
    if (entry.text) appendText(div, entry.text);
    var mediaUrl = entry.media && safeUrl(entry.media.url);
    if (mediaUrl) {
      if (entry.media.kind === 'image') {
        var img = document.createElement('img'); img.src = mediaUrl; img.alt = entry.media.caption || entry.media.fileName || ''; img.loading = 'lazy';
        // An image grows the log when it arrives: keep the newest message in view if the reader was there.
        img.addEventListener('load', function () { if (stick) toBottom(); });
        div.appendChild(img);
      } else {
        if (entry.text) div.appendChild(document.createElement('br'));
        addLink(div, mediaUrl, entry.media.fileName || entry.media.caption || T.file);
      }
    }
    if (entry.link) { div.appendChild(document.createElement('br')); addLink(div, entry.link.url, entry.link.label); }
    log.appendChild(div);
    if (entry.failed) {
      var note = document.createElement('div'); note.className = 'note';
      var again = document.createElement('button'); again.type = 'button'; again.textContent = T.retry;
      again.addEventListener('click', function () { note.remove(); div.classList.remove('failed'); entry.failed = false; persist(); deliver(entry); });
      note.appendChild(again); log.appendChild(note);
    }
    if (isLatest && entry.buttons && entry.buttons.length) {
      removeChips();
      var chips = document.createElement('div'); chips.className = 'chips'; chips.setAttribute('role', 'group'); chips.setAttribute('aria-label', T.options);
      entry.buttons.forEach(function (b) {
        if (b.url) { addLink(chips, b.url, b.label); return; }
        var btn = document.createElement('button'); btn.type = 'button'; btn.textContent = b.label;
        btn.addEventListener('click', function () { removeChips(); sendUser({ text: b.label, payload: b.payload || b.label }); input.focus(); });
        chips.appendChild(btn);
      });
      log.appendChild(chips);
    }
  }
  function persist() {
    if (transcript.length > 100) transcript = transcript.slice(-100);
    save('transcript', transcript);
  }
  function rerender() {
    log.textContent = '';
    var lastBot = -1;
    transcript.forEach(function (e, i) { if (e.from !== 'me') lastBot = i; });
    transcript.forEach(function (e, i) { render(e, i === lastBot && i === transcript.length - 1, i > 0 ? transcript[i - 1] : null); });
    toBottom();
  }

  // ---- sending
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return randomId(32);
  }
  function post(body, attempt) {
    return fetch(base + '/webchat/messages', {
      method: 'POST',
      // text/plain keeps the request "simple" (no CORS preflight) when the widget sits on another site.
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (res.status === 429) { note(T.slow); var wait = Number(res.headers.get('retry-after')) || 2; return delay(wait * 1000).then(function () { return post(body, attempt + 1); }); }
      if (res.status >= 500 && attempt < 4) return delay(500 * Math.pow(2, attempt)).then(function () { return post(body, attempt + 1); });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res;
    }, function (err) {
      if (attempt < 4) return delay(500 * Math.pow(2, attempt)).then(function () { return post(body, attempt + 1); });
      throw err;
    });
  }
  function delay(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function note(text) {
    var n = document.createElement('div'); n.className = 'note'; n.setAttribute('role', 'status'); n.textContent = text; log.appendChild(n);
    setTimeout(function () { n.remove(); }, 6000);
  }
  function deliver(entry) {
    var body = { sessionId: sessionId, messageId: entry.id, locale: navigator.language || lang };
    if (entry.text) body.text = entry.text;
    if (entry.payload) body.payload = entry.payload;
    if (entry.start) { body.start = true; if (entry.startPayload) body.startPayload = entry.startPayload; }
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(body.locale)) delete body.locale;
    return post(body, 0).catch(function () {
      entry.failed = true; persist(); rerender();
    });
  }
  function sendUser(msg) {
    var entry = { id: uuid(), from: 'me', text: msg.text, payload: msg.payload, at: Date.now() };
    transcript.push(entry); persist(); rerender();
    deliver(entry);
  }
  function sendStart() {
    if (started) return;
    started = true; save('started', true);
    deliver({ id: uuid(), start: true, startPayload: startPayload });
  }

  // ---- receiving
  var source = null;
  function connect() {
    if (source) return;
    source = new EventSource(base + '/webchat/events?session=' + encodeURIComponent(sessionId) + '&lastEventId=' + lastEventId);
    source.onmessage = function (ev) {
      var id = Number(ev.lastEventId);
      if (id && id <= lastEventId) return;
      var payload;
      try { payload = JSON.parse(ev.data); } catch (e) { return; }
      if (id) { lastEventId = id; save('lastEventId', id); }
      typing.textContent = '';
      transcript.push({ from: 'bot', speaker: payload.from, text: payload.text, buttons: payload.buttons, media: payload.media, link: payload.link, at: payload.at });
      persist(); rerender();
      if (panel.hidden) bubble.setAttribute('aria-label', T.open + ' (1+)');
    };
    source.addEventListener('typing', function () {
      typing.textContent = title + ' ' + T.typing;
      setTimeout(function () { typing.textContent = ''; }, 8000);
    });
    source.onerror = function () { if (source && source.readyState === 2) { source = null; setTimeout(connect, 3000); } };
  }

  // ---- open / close, keyboard
  function open() {
    panel.hidden = false;
    bubble.setAttribute('aria-expanded', 'true');
    bubble.setAttribute('aria-label', T.close);
    bubble.classList.add('open');
    save('open', true);
    rerender();
    connect();
    sendStart();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    bubble.setAttribute('aria-expanded', 'false');
    bubble.setAttribute('aria-label', T.open);
    bubble.classList.remove('open');
    save('open', false);
    bubble.focus();
  }
  bubble.addEventListener('click', function () { panel.hidden ? open() : close(); });
  wrap.querySelector('.close').addEventListener('click', close);
  panel.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') { ev.preventDefault(); close(); } });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true })); }
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    removeChips();
    sendUser({ text: text });
  });

  function mount() {
    document.body.appendChild(host);
    if (transcript.length) connect();
    if (load('open', false) === true || startPayload || data.open === 'true') open();
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
`;
