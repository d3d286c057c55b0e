/** The one table `npm run bench` prints: figure, Plausch, baseline of the same run, ratio, target, verdict. */

export type Target = { ratioAtLeast: number } | { ratioAtMost: number } | { atMost: number } | null;

export interface Row {
  figure: string;
  value: number;
  /** The same figure of the baseline, measured in this run; null when the target is absolute. */
  baseline: number | null;
  baselineName?: string;
  target: Target;
  note?: string;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return value.toFixed(1);
}

export function verdict(row: Row): { ratio: number | null; met: boolean | null; target: string } {
  const ratio = row.baseline !== null && row.baseline !== 0 ? row.value / row.baseline : null;
  const t = row.target;
  if (!t || !Number.isFinite(row.value)) return { ratio, met: null, target: t ? describe(t) : '' };
  if ('atMost' in t) return { ratio, met: row.value <= t.atMost, target: describe(t) };
  if (ratio === null) return { ratio, met: null, target: describe(t) };
  if ('ratioAtLeast' in t) return { ratio, met: ratio >= t.ratioAtLeast, target: describe(t) };
  return { ratio, met: ratio <= t.ratioAtMost, target: describe(t) };
}

function describe(t: NonNullable<Target>): string {
  if ('atMost' in t) return `≤ ${t.atMost}`;
  if ('ratioAtLeast' in t) return `≥ ×${t.ratioAtLeast}`;
  return `≤ ×${t.ratioAtMost}`;
}

export function printTable(
  rows: readonly Row[],
  info: {
    quick: boolean;
    seconds: number;
    machine: { cpus: number; cpuModel?: string; node: string; loadavg: number[] };
  },
): void {
  const lines = [
    ['figure', 'Plausch', 'baseline (same run)', 'ratio', 'target', 'met', 'note'],
    ...rows.map((row) => {
      const v = verdict(row);
      return [
        row.figure,
        format(row.value),
        row.baseline === null ? '' : `${format(row.baseline)} ${row.baselineName ?? ''}`.trim(),
        v.ratio === null ? '' : `×${v.ratio.toFixed(2)}`,
        v.target,
        v.met === null ? '' : v.met ? 'yes' : 'NO',
        row.note ?? '',
      ];
    }),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `\nPlausch benchmarks${info.quick ? ' (--quick sizes)' : ''}: ${info.machine.cpus} × ${info.machine.cpuModel ?? 'cpu'}, Node ${info.machine.node}, load ${info.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}, ${Math.round(info.seconds)} s\n`,
  );
  console.log(render(lines[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines.slice(1)) console.log(render(line));
}
