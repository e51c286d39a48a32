import { createApp } from './composition';
import { loadConfig } from './config';
import { registerFunctions } from './register';
import { startTelemetry } from './telemetry';

// Fail at start, naming every missing or malformed setting, rather than at the first request.
const config = loadConfig();
startTelemetry();
registerFunctions(createApp(config).functions);
