import { TrainingSchema1764100000000 } from './1764100000000-training-schema';
import { TrainingReferenceCnfs20211764100000001 } from './1764100000001-training-reference-cnfs-2021';
import { TrainingLookupIndexes1764100000002 } from './1764100000002-training-lookup-indexes';

/** In order; the platform's own (outbox, inbox, idempotency keys) run before them. */
export const TRAINING_MIGRATIONS: Function[] = [TrainingSchema1764100000000, TrainingReferenceCnfs20211764100000001, TrainingLookupIndexes1764100000002];
