/** `plausch faq eval` and `plausch faq unanswered`. */
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { runFaqEvalCommand } from '../features/faq/evaluate.js';
import { StoreUnansweredQuestionLog } from '../features/faq/unanswered-store.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function faqEval(file: string | undefined, dir: string | undefined): Promise<number> {
  const flowsDir = resolve(dir ?? loadConfig().FLOWS_DIR);
  return runFaqEvalCommand(file ?? join(flowsDir, 'tests', 'faq-eval.yaml'), join(flowsDir, 'faq'), print);
}

export async function faqExplain(question: string, locale: string, dir: string | undefined): Promise<number> {
  const { runFaqExplainCommand } = await import('../features/faq/explain.js');
  const flowsDir = resolve(dir ?? loadConfig().FLOWS_DIR);
  return runFaqExplainCommand(question, join(flowsDir, 'faq'), locale, print);
}

export async function faqUnanswered(limit: number): Promise<number> {
  const config = loadConfig();
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    await migrateToLatest(store);
    const items = await new StoreUnansweredQuestionLog(store).summarize({
      limit: Number.isFinite(limit) ? limit : 50,
    });
    if (items.length === 0) {
      print('No unanswered questions yet.');
      return 0;
    }
    print('asks  people  best  last asked         question');
    for (const item of items) {
      print(
        `${String(item.asks).padStart(4)}  ${String(item.contacts).padStart(6)}  ${item.bestScore.toFixed(2)}  ${item.lastAskedAt
          .toISOString()
          .slice(0, 16)
          .replace('T', ' ')}  [${item.locale}] ${item.text}`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
