/**
 * Runs the service-questions evaluation without the CLI: `npx tsx bench/faq-eval.ts [evalFile] [kbDir]`.
 * Same output and exit code as `plausch faq eval <file>`.
 */
import { runFaqEvalCommand } from '../src/features/faq/evaluate.js';

const [evalFile = 'flows/tests/faq-eval.yaml', kbDir = 'flows/faq'] = process.argv.slice(2);
process.exitCode = await runFaqEvalCommand(evalFile, kbDir, (line) => console.log(line));
