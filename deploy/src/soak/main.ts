import { dataPath } from '../stack/paths';
import { FaultOptions } from './faults';
import { describeSeed, runSoak } from './soak';

export const SOAK_USAGE = `Usage: npm run soak -- [options]

Runs the programme simulation on platforms of its own (a Kafka broker on ports 49192/49193, every service as a
child process, schemas soak<seed>_* in the database cnfs_soak) while a seeded fault injector SIGKILLs and
restarts the broker and services, pauses a service past the consumers' session timeout and re-publishes
already-published messages; then checks every invariant, that nothing was lost or done twice, that no message was
dead-lettered and that every outbox drained. A failure prints its seed: run it again with --seed.

  --seeds <a,b,…>        seeds (default 1,2,3,4,5); --seed <n> for one
  --structures <n>       retained structures per seed (default 150)
  --broker-kills <n>     per seed (default 2)
  --service-kills <n>    per seed (default 6: every service once, its relay and consumers die with it)
  --pauses <n>           per seed (default 1, 17 s > the 15 s session timeout)
  --replays <n>          per seed (default 2, 300 messages each)
  --until <YYYY-MM>      last month (default 2024-12)
  --supervise            restart a service whose Kafka consumer died for good (the workaround needed before
                         libs/messaging replaced crashed consumers itself, commit 81ae2fd)`;

function parse(argv: string[]) {
  const args = { supervise: false, seeds: [1, 2, 3, 4, 5], structures: 150, faults: { brokerKills: 2, serviceKills: 6, pauses: 1, replays: 2, replayMessages: 300 } as FaultOptions, until: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--supervise') {
      args.supervise = true;
      continue;
    }
    const [name, inline] = argv[i].split('=');
    const value = inline ?? argv[++i];
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} takes a non-negative integer`);
      return n;
    };
    switch (name) {
      case '--seeds':
        args.seeds = value.split(',').map(Number);
        break;
      case '--seed':
        args.seeds = [int()];
        break;
      case '--structures':
        args.structures = int();
        break;
      case '--broker-kills':
        args.faults.brokerKills = int();
        break;
      case '--service-kills':
        args.faults.serviceKills = int();
        break;
      case '--pauses':
        args.faults.pauses = int();
        break;
      case '--replays':
        args.faults.replays = int();
        break;
      case '--until':
        args.until = value;
        break;
      case '-h':
      case '--help':
        return undefined;
      default:
        throw new Error(`unknown option ${name}\n\n${SOAK_USAGE}`);
    }
  }
  return args;
}

async function main(): Promise<number> {
  // Every broker (re)start by ensureKafka adds an exit listener: a long soak restarts it many times.
  process.setMaxListeners(200);
  const args = parse(process.argv.slice(2));
  if (!args) {
    process.stdout.write(`${SOAK_USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
  const started = Date.now();
  const results = await runSoak({
    seeds: args.seeds,
    structures: args.structures,
    faults: args.faults,
    until: args.until,
    supervise: args.supervise,
    dataDir: dataPath('soak'),
    database: 'cnfs_soak',
    kafkaPort: 49192,
    kafkaControllerPort: 49193,
    log,
  });
  process.stdout.write(`\n${results.map(describeSeed).join('\n')}\n`);
  const failed = results.filter((r) => !r.ok).map((r) => r.seed);
  process.stdout.write(`\nsoak: ${results.length - failed.length}/${results.length} seeds ok in ${((Date.now() - started) / 1000).toFixed(0)} s${failed.length ? ` — FAILED seeds: ${failed.join(', ')}` : ''}\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
