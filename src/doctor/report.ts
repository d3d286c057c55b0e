/** Prints the doctor's results as a table, each warning and error followed by what to do about it. */
import type { CheckResult, CheckStatus } from './checks.js';

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', error: 'ERROR', skip: 'skip' };

export function formatDoctorReport(results: readonly CheckResult[], width = 100): string {
  const checkWidth = Math.min(32, Math.max(5, ...results.map((r) => r.check.length)));
  const lines = [`${'STATUS'.padEnd(7)}${'CHECK'.padEnd(checkWidth + 2)}RESULT`];
  const indent = ' '.repeat(7 + checkWidth + 2);
  for (const result of results) {
    const head = `${LABEL[result.status].padEnd(7)}${result.check.padEnd(checkWidth + 2)}`;
    lines.push(
      ...wrap(result.detail, width - indent.length).map((part, i) => (i === 0 ? head : indent) + part),
    );
    if (result.fix && (result.status === 'warn' || result.status === 'error')) {
      lines.push(...wrap(`→ ${result.fix}`, width - indent.length).map((part) => indent + part));
    }
  }
  const errors = results.filter((r) => r.status === 'error').length;
  const warnings = results.filter((r) => r.status === 'warn').length;
  lines.push('');
  lines.push(
    errors > 0
      ? `${errors} error(s), ${warnings} warning(s): fix the errors (→ lines) and run plausch doctor again`
      : warnings > 0
        ? `no errors, ${warnings} warning(s)`
        : 'everything checked is fine',
  );
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out.length > 0 ? out : [''];
}
