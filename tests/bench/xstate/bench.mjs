// bench.mjs - the XState 5 baseline for tests/bench_engine.c: drives the
// same complete marriage applications (tests/bench/marriage-hi.txt and
// marriage-en.txt, alternating) through the flow of flow.mjs on one
// thread, and prints steps per second, the size of the persisted snapshot
// (JSON.stringify(actor.getPersistedSnapshot())) after the seventh answer,
// and the time to load the specs and build the machine.
//
// Usage: node bench.mjs [--seconds S] [--specs DIR] [--api actor|transition] [--dump hi|en|FILE]
//   --api actor       createActor(machine).start() and actor.send(event) (default)
//   --api transition  the pure API: initialTransition / transition, then
//                     running the returned actions
//   --dump LANG|FILE  print each reply of that script as a JSON line and exit
//                     (to compare with the C engine's replies)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createActor, initialTransition, transition } from 'xstate';
import { loadSpecs } from './spec.mjs';
import { createFlow } from './flow.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const seconds = Number(opt('--seconds', '3'));
const specs = opt('--specs', join(root, 'fsm-specs'));
const api = opt('--api', 'actor');
const dump = opt('--dump', null);
if (!(seconds > 0) || !['actor', 'transition'].includes(api)) {
  console.error('usage: node bench.mjs [--seconds S] [--specs DIR] [--api actor|transition] [--dump hi|en|FILE]');
  process.exit(2);
}

function readScript(path) {
  const messages = [];
  let sevenAt = 0;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    if (line === '#seven') sevenAt = messages.length;
    else if (line !== '' && line[0] !== '#') messages.push(line);
  }
  return { messages, sevenAt };
}
const scripts = ['hi', 'en'].map((l) => readScript(join(root, 'tests', 'bench', `marriage-${l}.txt`)));

// Loading: the mean of many loads (read and fold the specs, build the machine).
let flow;
let loads = 0;
let t = performance.now();
do {
  flow = createFlow(loadSpecs(specs));
  loads++;
} while (performance.now() - t < 500);
const loadMs = (performance.now() - t) / loads;
const { machine, out } = flow;
const t0 = 1772339400; // 2026-03-01 10:00 IST, as bench_engine.c

// One session driven by either API; send() leaves the replies in `out`.
function session() {
  if (api === 'actor') {
    const actor = createActor(machine).start();
    return {
      send: (ev) => actor.send(ev),
      persisted: () => actor.getPersistedSnapshot(),
      stop: () => actor.stop(),
    };
  }
  let [snap, actions] = initialTransition(machine);
  for (const a of actions) a.exec?.(a.info, a.params);
  return {
    send: (ev) => {
      [snap, actions] = transition(machine, snap, ev);
      for (const a of actions) a.exec?.(a.info, a.params);
    },
    persisted: () => machine.getPersistedSnapshot(snap),
    stop: () => {},
  };
}

// One whole application: the number of steps, or -1 when it did not end
// with a submitted application.
function runOnce(script, seven) {
  const s = session();
  let submitted = false;
  const { messages } = script;
  for (let i = 0; i < messages.length; i++) {
    out.length = 0;
    s.send({ type: 'TEXT', text: messages[i], now: t0 + i });
    for (const r of out) if (r.application) submitted = true;
    if (seven && i + 1 === script.sevenAt)
      seven.bytes = Buffer.byteLength(JSON.stringify(s.persisted()));
  }
  s.stop();
  return submitted ? messages.length : -1;
}

if (dump) {
  const script = dump === 'hi' || dump === 'en' ? scripts[dump === 'en' ? 1 : 0] : readScript(dump);
  const s = session();
  script.messages.forEach((m, i) => {
    out.length = 0;
    s.send({ type: 'TEXT', text: m, now: t0 + i });
    for (const r of out) {
      const line = { in: m, state: r.state, text: r.text };
      if (r.options) line.options = r.options.map((o) => [o.id, o.title]);
      if (r.application) line.app = r.application.answers;
      console.log(JSON.stringify(line));
    }
    if (i + 1 === script.sevenAt) console.log(JSON.stringify({ seven: s.persisted() }));
  });
  process.exit(0);
}

const seven = [{ bytes: 0 }, { bytes: 0 }];
for (let k = 0; k < 2; k++) {
  if (runOnce(scripts[k], seven[k]) < 0) {
    console.error(`bench: the ${k ? 'English' : 'Hindi'} script does not submit an application`);
    process.exit(1);
  }
}

let steps = 0;
let apps = 0;
let elapsed = 0;
t = performance.now();
while (elapsed < seconds) {
  for (let batch = 0; batch < 100; batch++) {
    const n = runOnce(scripts[apps & 1], null);
    if (n < 0) {
      console.error('bench: an application was not submitted');
      process.exit(1);
    }
    steps += n;
    apps++;
  }
  elapsed = (performance.now() - t) / 1000;
}
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'xstate', 'package.json'), 'utf8')).version;
console.log(`xstate ${version} (${api === 'actor' ? 'createActor + send' : 'pure transition()'}), node ${process.version}`);
console.log(`marriage applications: ${apps} (half Hindi with Devanagari digits, half English)`);
console.log(`steps: ${steps} in ${elapsed.toFixed(2)} s = ${Math.round(steps / elapsed)} steps/s on one core`);
console.log(`snapshot after seven answers: ${seven[0].bytes} bytes (Hindi), ${seven[1].bytes} bytes (English)`);
console.log(`load specs and build the machine: ${loadMs.toFixed(3)} ms (mean of ${loads} loads)`);
