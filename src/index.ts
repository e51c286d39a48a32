import { getConfig } from './config';
import { functions } from './functions';
import { registerFunctions } from './register';
import { startTelemetry } from './telemetry';

// Fail at start, naming every missing or malformed setting, rather than at the first request.
getConfig();
startTelemetry();
registerFunctions(functions);
