/**
 * Runs before every test file: console passwords are hashed at scrypt cost 2^10 instead of 2^15, so the
 * suite's many sign-ins do not spend their time in scrypt on a busy CI machine (tests of the default cost
 * set it themselves). State files (the "this database held data" markers) go to a throw-away folder, never
 * into the home directory of whoever runs the tests, so no test run sees another's. Trained classifiers are
 * cached on disk by what they were trained on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setPasswordHashCost } from '../../src/console/auth/password.js';

setPasswordHashCost(10);
process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'plausch-test-state-'));
// The suite starts hundreds of services on the same sample knowledge base: train its classifiers once per
// machine, not once per service (the cache key is everything training sees, so a change retrains).
process.env.PLAUSCH_MODEL_CACHE_DIR ??= join(tmpdir(), 'plausch-test-models');
