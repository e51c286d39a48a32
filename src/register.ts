import { app } from '@azure/functions';
import type { FunctionDefinition } from './functions/definition';

/** Registers the definitions with the Functions host (the only place that calls `app.*`). */
export function registerFunctions(definitions: readonly FunctionDefinition[]): void {
  for (const definition of definitions) {
    switch (definition.trigger) {
      case 'http':
        app.http(definition.name, definition.options);
        break;
      case 'timer':
        app.timer(definition.name, definition.options);
        break;
      case 'serviceBusQueue':
        app.serviceBusQueue(definition.name, definition.options);
        break;
      case 'cosmosDB':
        app.cosmosDB(definition.name, definition.options);
        break;
    }
  }
}
