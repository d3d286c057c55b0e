/** Maps a platform's language tag (`de-DE`, `en_US`, `EN`) to a locale the flows speak, or the default. */

export interface LocalePolicy {
  /** Short codes the flows are written in, e.g. `['de', 'en']`. */
  supported: readonly string[];
  /** Used when the platform tells nothing or something unsupported. */
  fallback: string;
}

export function resolveSupportedLocale(tag: string | undefined | null, policy: LocalePolicy): string {
  if (!tag) return policy.fallback;
  const language = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return policy.supported.includes(language) ? language : policy.fallback;
}
