/**
 * The page at `/`: the sample brand's storefront with the widget embedded, so a newcomer can talk to the
 * sample flows at http://localhost:3000/ right after `npm start`.
 */
export const DEMO_PAGE_HTML = `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kaffeerösterei Bohnenglück – Plausch Demo</title>
<style>
  body { margin: 0; font-family: Georgia, 'Times New Roman', serif; color: #2b1d14; background: #f6efe7; }
  header { background: #6b3e26; color: #fff; padding: 48px 24px; text-align: center; }
  header h1 { margin: 0 0 8px; font-size: 2.2rem; }
  main { max-width: 760px; margin: 0 auto; padding: 32px 24px 120px; line-height: 1.6; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 16px; margin: 24px 0; }
  .card { background: #fff; border-radius: 12px; padding: 16px; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .card h2 { font-size: 1.1rem; margin: 0 0 6px; }
  .hint { background: #fff8e1; border-left: 4px solid #d9a400; padding: 12px 16px; border-radius: 6px; }
  code { background: #efe6dc; padding: 1px 5px; border-radius: 4px; }
</style>
</head>
<body>
<header>
  <h1>Kaffeerösterei Bohnenglück</h1>
  <p>Frisch geröstet in Kleinchargen – seit 2009.</p>
</header>
<main>
  <p>Willkommen! Unten rechts wartet unser Chat: Frag nach Öffnungszeiten, Versand, Abos oder Röstkursen,
  melde dich für den Newsletter an oder lass dich mit einem Menschen verbinden.</p>
  <div class="cards">
    <div class="card"><h2>☕ Bohnen</h2><p>Espresso, Filter, entkoffeiniert – direkt gehandelt.</p></div>
    <div class="card"><h2>📅 Röstkurse</h2><p>Jeden Monat in der Rösterei. Frag den Chat nach Terminen.</p></div>
    <div class="card"><h2>✉️ Newsletter</h2><p>Neue Ernten und Kurstermine, höchstens zweimal im Monat.</p></div>
  </div>
  <p class="hint">Dies ist die Demo-Seite von <strong>Plausch</strong>. Einbinden auf der eigenen Website:
  <code>&lt;script src="https://ihre-domain/webchat/widget.js" data-title="Bohnenglück" defer&gt;&lt;/script&gt;</code></p>
</main>
<script src="/webchat/widget.js" data-title="Bohnenglück" defer></script>
</body>
</html>
`;
