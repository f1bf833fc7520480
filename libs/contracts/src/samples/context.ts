import { EventContext } from '../event-definition';

/** The context of sample events: a national agent acting on 1 March 2021. */
export const sampleContext: EventContext = {
  actor: { kind: 'user', subject: 'agent-1', role: 'anct' },
  occurredAt: new Date('2021-03-01T10:00:00.000Z'),
  correlationId: 'corr-1',
  causationId: 'cause-1',
};
export const systemContext: EventContext = {
  actor: { kind: 'system', job: 'sample-job' },
  occurredAt: new Date('2022-06-30T00:00:00.000Z'),
};
