/**
 * `plausch` command line: thin over the modules. Each command loads only what it needs, so
 * `plausch flows check` starts fast and never opens a database.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runCommand } from './run-command.js';

// `plausch actions | head` closes the pipe early: that is the reader's choice, not an error worth a stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// A `.env` in the working directory fills in what the environment does not set (the environment wins).
if (existsSync('.env')) {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    process.stderr.write(`plausch: cannot read .env: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}

const packageVersion = (): string => {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
};

const program = new Command();
program
  .name('plausch')
  .description('Conversations between a brand and its customers, inside the messengers they already use.')
  .version(packageVersion(), '-v, --version', 'print the version')
  .showHelpAfterError();

program
  .command('serve')
  .description('start the server (HTTP, channels, outbox, schedulers) on the configured store')
  .action(() =>
    runCommand(async () => {
      const { serve } = await import('./serve.js');
      return serve();
    }),
  );

program
  .command('doctor')
  .description(
    'check configuration, database and migrations, flows, data directories, channel credentials and webhook URLs; exit 1 on errors',
  )
  .option('--offline', 'do not ask the platforms (Telegram getMe, Graph API) whether the credentials work')
  .option('--json', 'print the results as JSON')
  .action((options: { offline?: boolean; json?: boolean }) =>
    runCommand(async () => {
      const { doctor } = await import('./doctor-command.js');
      return doctor(options);
    }),
  );

const flows = program.command('flows').description('check, test and draw the YAML flows');
const flowsDirOption = () => new Option('-d, --dir <dir>', 'flows directory (default: FLOWS_DIR or ./flows)');

flows
  .command('check')
  .description('validate every flow file; prints file:line:column for each problem, exit 1 on errors')
  .addOption(flowsDirOption())
  .action((options: { dir?: string }) =>
    runCommand(async () => {
      const { flowsCheck } = await import('./flows-commands.js');
      return flowsCheck(options.dir);
    }),
  );

flows
  .command('test')
  .description('run the conversation tests in <flows>/tests/*.test.yaml')
  .addOption(flowsDirOption())
  .option('-f, --filter <text>', 'only tests whose name contains this text')
  .action((options: { dir?: string; filter?: string }) =>
    runCommand(async () => {
      const { flowsTest } = await import('./flows-commands.js');
      return flowsTest(options.dir, options.filter);
    }),
  );

flows
  .command('graph <flowId>')
  .description('print a Mermaid diagram of a flow')
  .addOption(flowsDirOption())
  .action((flowId: string, options: { dir?: string }) =>
    runCommand(async () => {
      const { flowsGraph } = await import('./flows-commands.js');
      return flowsGraph(flowId, options.dir);
    }),
  );

program
  .command('chat')
  .description('talk to the flows in this terminal, no channel needed')
  .option('-l, --locale <locale>', 'language to chat in (de, en)')
  .option('-n, --name <firstName>', 'your first name in the chat', 'Alex')
  .option('--store', 'use the configured database instead of a throw-away in-memory one')
  .action((options: { locale?: string; name: string; store?: boolean }) =>
    runCommand(async () => {
      const { chat } = await import('./chat-command.js');
      return chat(options);
    }),
  );

program
  .command('actions')
  .description('list the actions flows can call')
  .action(() =>
    runCommand(async () => {
      const { listActions } = await import('./flows-commands.js');
      return listActions();
    }),
  );

const db = program.command('db').description('database maintenance');
db.command('migrate')
  .description('bring the database schema up to date (also done at start-up)')
  .action(() =>
    runCommand(async () => {
      const { migrate } = await import('./db-commands.js');
      return migrate();
    }),
  );

db.command('init')
  .description('create the database, or accept an empty one after the old data was removed on purpose')
  .action(() =>
    runCommand(async () => {
      const { init } = await import('./db-commands.js');
      return init();
    }),
  );

const contacts = program.command('contacts').description('contacts and privacy requests (GDPR)');
contacts
  .command('export <contactId>')
  .description('print everything stored about a contact as JSON (access request)')
  .action((contactId: string) =>
    runCommand(async () => {
      const { contactsExport } = await import('./contacts-commands.js');
      return contactsExport(contactId);
    }),
  );
contacts
  .command('erase <contactId>')
  .description(
    'erase a contact: texts and identifiers go, aggregates and the pseudonymised consent ledger stay',
  )
  .option('--yes', 'really erase (it cannot be undone)', false)
  .action((contactId: string, options: { yes: boolean }) =>
    runCommand(async () => {
      const { contactsErase } = await import('./contacts-commands.js');
      return contactsErase(contactId, options.yes);
    }),
  );

const inbox = program.command('inbox').description('inbound events as they arrived');
inbox
  .command('rejected')
  .description('list inbound events that could never be recorded (the dead-letter table), newest first')
  .option('--limit <n>', 'how many', '20')
  .option('-c, --channel <channel>', 'only this channel (telegram, whatsapp-cloud, …)')
  .option('--json', 'print JSON instead of lines')
  .action((options: { limit: string; channel?: string; json?: boolean }) =>
    runCommand(async () => {
      const { inboxRejected } = await import('./inbox-commands.js');
      return inboxRejected({
        limit: Number.parseInt(options.limit, 10),
        ...(options.channel ? { channel: options.channel } : {}),
        ...(options.json ? { json: true } : {}),
      });
    }),
  );

const faq = program.command('faq').description('the service-questions knowledge base');
faq
  .command('eval [file]')
  .description('score the matcher on (question, expected answer) pairs; exit 1 below the file’s min_accuracy')
  .addOption(flowsDirOption())
  .action((file: string | undefined, options: { dir?: string }) =>
    runCommand(async () => {
      const { faqEval } = await import('./faq-commands.js');
      return faqEval(file, options.dir);
    }),
  );
faq
  .command('explain <question>')
  .description('show how the matcher reads a question: language, stems, synonyms, candidates and scores')
  .option('--locale <locale>', "the contact's locale (language prior for short questions)", 'de')
  .addOption(flowsDirOption())
  .action((question: string, options: { locale: string; dir?: string }) =>
    runCommand(async () => {
      const { faqExplain } = await import('./faq-commands.js');
      return faqExplain(question, options.locale, options.dir);
    }),
  );
faq
  .command('unanswered')
  .description('list questions the bot could not answer, most frequent first')
  .option('--limit <n>', 'how many', '50')
  .action((options: { limit: string }) =>
    runCommand(async () => {
      const { faqUnanswered } = await import('./faq-commands.js');
      return faqUnanswered(Number.parseInt(options.limit, 10));
    }),
  );

const users = program.command('users').description('console staff accounts');
users
  .command('add <email>')
  .description('create a staff account; the password is read from PLAUSCH_PASSWORD or asked for')
  .addOption(
    new Option('-r, --role <role>', 'agent, supervisor or admin')
      .choices(['agent', 'supervisor', 'marketer', 'admin'])
      .default('agent'),
  )
  .option('-n, --name <name>', 'display name')
  .option('-t, --team <team>', 'team (e.g. service, sales)')
  .action(
    (
      email: string,
      options: { role: 'agent' | 'supervisor' | 'marketer' | 'admin'; name?: string; team?: string },
    ) =>
      runCommand(async () => {
        const { addUser } = await import('./user-commands.js');
        return addUser(email, options);
      }),
  );

await program.parseAsync(process.argv);
