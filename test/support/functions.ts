// Subsets of the app's functions for tests that look at one part of the system.
import { functions } from '../../src/functions';

/**
 * The HTTP API and the outbox relay without the export worker, its dead-letter handler and watchdog:
 * for tests that inspect reports as the API leaves them, or read the request queue themselves.
 */
export const apiAndRelayOnly = functions.filter((f) => !f.name.startsWith('export'));
