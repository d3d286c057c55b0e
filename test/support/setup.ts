/**
 * Runs before every test file: console passwords are hashed at scrypt cost 2^10 instead of 2^15, so the
 * suite's many sign-ins do not spend their time in scrypt on a busy CI machine (tests of the default cost
 * set it themselves).
 */
import { setPasswordHashCost } from '../../src/console/auth/password.js';

setPasswordHashCost(10);
