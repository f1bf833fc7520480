import { EventEnvelope } from '../envelope';
import { conventionsSamples } from './conventions.samples';
import { lifecycleSamples } from './lifecycle.samples';
import { structuresSamples } from './structures.samples';
import { subsidiesSamples } from './subsidies.samples';
import { trainingSamples } from './training.samples';

export { sampleContext, systemContext } from './context';

/** One valid sample of every event in the catalog (each context keeps its own file). */
export const EVENT_SAMPLES: EventEnvelope[] = [
  ...structuresSamples, ...conventionsSamples, ...subsidiesSamples, ...trainingSamples, ...lifecycleSamples,
];
