// The console's screens beyond the inbox: each is a Preact bundle built from src/console/web/screens/<id>/
// and served at /console/assets/screens/<id>.js. `needs` is the capability a user's role must grant
// (see src/console/auth/capabilities.ts); `css` says whether the screen ships a stylesheet.
// Add a screen by adding its folder and one line here.
export const SCREENS = [
  { id: 'dashboard', label: { de: 'Ergebnisse', en: 'Results' }, needs: 'marketing', css: true },
  { id: 'broadcasts', label: { de: 'Aussendungen', en: 'Broadcasts' }, needs: 'marketing', css: true },
  { id: 'contacts', label: { de: 'Kontakte', en: 'Contacts' }, needs: 'marketing', css: true },
  { id: 'workbench', label: { de: 'Flows', en: 'Flows' }, needs: 'marketing', css: true },
];
