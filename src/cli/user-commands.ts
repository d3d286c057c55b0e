/**
 * `plausch users add <email> --role --name --team`: creates a console staff account. The password comes from
 * PLAUSCH_PASSWORD or a hidden prompt (typed twice), never from the command line (shell history, `ps`).
 */
import { createInterface } from 'node:readline';
import { ZodError } from 'zod';
import { loadConfig } from '../config.js';
import { MIN_PASSWORD_LENGTH } from '../console/auth/password.js';
import { createUser, type Role } from '../console/auth/users.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';

function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.stdin.isTTY) {
      reject(new Error('no terminal to ask for the password: set PLAUSCH_PASSWORD'));
      return;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    output._writeToOutput = (text: string) => {
      // Show the question once, then nothing of what is typed.
      if (!asked) {
        process.stdout.write(text);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

export async function addUser(
  email: string,
  options: { role: Role; name?: string; team?: string },
): Promise<number> {
  const config = loadConfig();
  let password = process.env.PLAUSCH_PASSWORD ?? '';
  if (!password) {
    password = await askHidden(`Password for ${email} (at least ${MIN_PASSWORD_LENGTH} characters): `);
    const again = await askHidden('The same password again: ');
    if (password !== again) {
      process.stderr.write('plausch: the two passwords differ; nothing was created\n');
      return 1;
    }
  }
  const store = openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  try {
    await migrateToLatest(store);
    const user = await createUser(
      store.db,
      {
        email,
        displayName: options.name ?? email.split('@')[0] ?? email,
        role: options.role,
        team: options.team ?? null,
        password,
      },
      new Date(),
    );
    process.stdout.write(
      `created ${user.role} ${user.email} (${user.displayName}${user.team ? `, team ${user.team}` : ''})\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ZodError) {
      process.stderr.write(
        `plausch: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}
