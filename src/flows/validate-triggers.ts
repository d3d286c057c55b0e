/**
 * Triggers must not compete: a keyword (normalized, per locale), a payload, `start: true`, a
 * `start_prefix` or `fallback: true` may belong to one flow only, or the engine would pick arbitrarily.
 */
import { basename } from 'node:path';
import { normalizeForMatching } from '../text/normalize.js';
import type { ParsedFlowFile } from './loader.js';
import { isJumpPayload, RESERVED_PAYLOAD_PREFIXES } from './references.js';
import { didYouMean } from './suggest.js';
import type { ValidationContext } from './validate-context.js';
import { valuePosition, type YamlPath } from './yaml-source.js';

interface Claim {
  flow: ParsedFlowFile;
  path: YamlPath;
}

/** `flow "shop" (shop.yaml:5:7)`: enough to find the other claim. */
function describeClaim(claim: Claim): string {
  const { line, column } = valuePosition(claim.flow.source, claim.path);
  return `flow "${claim.flow.flow.definition.id}" (${basename(claim.flow.flow.file)}:${line}:${column})`;
}

/** Whether the earlier claim covers `locale` (a plain list covers every locale; then it is an error instead). */
function claimsLocale(claim: Claim, locale: string): boolean {
  const last = claim.path[claim.path.length - 1];
  const localeOfClaim = typeof last === 'number' ? claim.path[claim.path.length - 2] : last;
  return localeOfClaim === 'keywords' || localeOfClaim === locale;
}

export function checkTriggers(context: ValidationContext): void {
  const { problems, settings } = context;
  const keywordClaims = new Map<string, Claim>();
  const anyLocaleClaims = new Map<string, Claim>();
  const payloadClaims = new Map<string, Claim>();
  const prefixClaims = new Map<string, Claim>();
  let startClaim: Claim | undefined;
  let fallbackClaim: Claim | undefined;
  let questionClaim: Claim | undefined;

  const claimOnce = (claims: Map<string, Claim>, key: string, claim: Claim, what: string) => {
    const earlier = claims.get(key);
    if (!earlier) {
      claims.set(key, claim);
      return;
    }
    if (earlier.flow === claim.flow) {
      problems.warn(claim.flow.source, claim.path, `${what} is listed twice in this flow`);
    } else {
      problems.add(
        claim.flow.source,
        claim.path,
        `${what} is already a trigger of ${describeClaim(earlier)}`,
      );
    }
  };

  for (const flow of context.draft.flows) {
    const triggers = flow.flow.definition.triggers;
    if (!triggers) continue;
    const base: YamlPath = ['triggers'];
    const { source } = flow;

    if (triggers.keywords !== undefined) {
      const perLocale = !Array.isArray(triggers.keywords);
      const lists: [string | undefined, string[]][] = Array.isArray(triggers.keywords)
        ? [[undefined, triggers.keywords]]
        : Object.entries(triggers.keywords);
      for (const [locale, keywords] of lists) {
        const listPath: YamlPath =
          locale === undefined ? [...base, 'keywords'] : [...base, 'keywords', locale];
        if (locale !== undefined && !settings.locales.includes(locale)) {
          problems.add(
            source,
            listPath,
            `unknown locale "${locale}"${didYouMean(locale, settings.locales)}; settings.locales has ${settings.locales.join(', ')}`,
            { where: 'key' },
          );
          continue;
        }
        // A single string stands for a list of one; its position is the string itself.
        const single = typeof flow.source.document.getIn(listPath) === 'string';
        keywords.forEach((keyword, index) => {
          const path = single ? listPath : [...listPath, index];
          const normalized = normalizeForMatching(keyword);
          if (!normalized) {
            problems.add(source, path, `keyword "${keyword}" has no letters or digits and can never match`);
            return;
          }
          // The engine matches every locale's keywords for everyone: across locales it is still a contest.
          const anyLocale = anyLocaleClaims.get(normalized);
          if (!anyLocale) anyLocaleClaims.set(normalized, { flow, path });
          else if (anyLocale.flow !== flow && locale !== undefined && !claimsLocale(anyLocale, locale)) {
            problems.warn(
              source,
              path,
              `keyword "${keyword}" is also a trigger of ${describeClaim(anyLocale)} in another language; whoever writes it gets one of the two`,
            );
          }
          for (const claimedLocale of locale === undefined ? settings.locales : [locale]) {
            claimOnce(
              keywordClaims,
              `${claimedLocale}\u0000${normalized}`,
              { flow, path },
              `keyword "${keyword}" (${claimedLocale})`,
            );
          }
        });
      }
      if (perLocale) {
        const missing = settings.locales.filter((locale) => !(locale in (triggers.keywords as object)));
        if (missing.length > 0) {
          problems.warn(
            source,
            [...base, 'keywords'],
            `no keywords for ${missing.join(', ')}: people writing in that language cannot start this flow by keyword`,
            'key',
          );
        }
      }
    }

    triggers.payloads?.forEach((payload, index) => {
      const path: YamlPath = [...base, 'payloads', index];
      const reserved = [...RESERVED_PAYLOAD_PREFIXES, 'go:'].find((prefix) => payload.startsWith(prefix));
      if (reserved) {
        const why = isJumpPayload(payload)
          ? 'jump payloads (go:) open their step directly'
          : `"${reserved}" payloads are generated by Plausch`;
        problems.add(source, path, `payload "${payload}" cannot be a trigger: ${why}`);
        return;
      }
      claimOnce(payloadClaims, payload, { flow, path }, `payload "${payload}"`);
    });

    if (triggers.start === true) {
      const claim = { flow, path: [...base, 'start'] };
      if (startClaim)
        problems.add(
          source,
          claim.path,
          `start: true is already set in ${describeClaim(startClaim)}; only one flow greets new chats`,
        );
      else startClaim = claim;
    }
    if (triggers.fallback === true) {
      const claim = { flow, path: [...base, 'fallback'] };
      if (fallbackClaim)
        problems.add(
          source,
          claim.path,
          `fallback: true is already set in ${describeClaim(fallbackClaim)}; only one flow catches what nothing else understood`,
        );
      else fallbackClaim = claim;
    }
    if (triggers.question === true) {
      const claim = { flow, path: [...base, 'question'] };
      if (questionClaim)
        problems.add(
          source,
          claim.path,
          `question: true is already set in ${describeClaim(questionClaim)}; only one flow answers questions asked at a prompt`,
        );
      else questionClaim = claim;
    }
    if (triggers.start_prefix !== undefined) {
      claimOnce(
        prefixClaims,
        triggers.start_prefix,
        { flow, path: [...base, 'start_prefix'] },
        `start_prefix "${triggers.start_prefix}"`,
      );
    }
  }
}
