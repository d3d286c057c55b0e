/** "Did you mean …?" for misspelt keys, step names and actions: the closest known name by edit distance. */

/**
 * Edit distance where inserting, deleting, substituting or swapping two neighbouring letters costs 1
 * (optimal string alignment): `emial` is one typo away from `email`, as a person would count it.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The known name closest to `unknown`, when it is close enough to be a typo: at most a third of the
 * longer name's letters differ (so `buttns` → `buttons`, but `foo` suggests nothing).
 */
export function closestName(unknown: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const needle = unknown.toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(needle, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(needle.length, candidate.length) / 3));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "buttons"?)` or nothing. */
export function didYouMean(unknown: string, known: Iterable<string>): string {
  const suggestion = closestName(unknown, known);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}
