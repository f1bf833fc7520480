import { EventEnvelope, InvalidEnvelopeError } from './envelope';
import { EventDefinition } from './event-definition';
import * as conventions from './conventions.events';
import * as lifecycle from './lifecycle.events';
import * as structures from './structures.events';
import * as subsidies from './subsidies.events';
import * as training from './training.events';

/** One file of events per context; every definition exported there is in the catalog. */
const contextModules: Record<string, unknown>[] = [structures, conventions, subsidies, training, lifecycle];

function isDefinition(value: unknown): value is EventDefinition<unknown> {
  return typeof value === 'object' && value !== null && 'type' in value && 'version' in value && 'payloadSchema' in value;
}

export function catalogKey(type: string, version: number): string {
  return `${type}@v${version}`;
}

/** Every event the platform knows, by `type@version`. Consumers validate against it. */
export const EVENT_CATALOG: ReadonlyMap<string, EventDefinition<unknown>> = (() => {
  const catalog = new Map<string, EventDefinition<unknown>>();
  for (const definition of contextModules.flatMap((m) => Object.values(m)).filter(isDefinition)) {
    const key = catalogKey(definition.type, definition.version);
    if (catalog.has(key)) throw new Error(`event ${key} is defined twice`);
    catalog.set(key, definition);
  }
  return catalog;
})();

/** Validates an envelope's payload against the catalog; an unknown type/version is refused. */
export function validateAgainstCatalog(envelope: EventEnvelope): EventEnvelope {
  const definition = EVENT_CATALOG.get(catalogKey(envelope.type, envelope.version));
  if (!definition) {
    throw new InvalidEnvelopeError(`unknown event ${envelope.type} v${envelope.version}`, [
      { path: 'type', message: 'not in the event catalog' },
    ]);
  }
  return definition.parse(envelope);
}
