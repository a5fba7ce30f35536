// The peer of component_bench.cc: the same component (calls.wat, as the binary Hull measures)
// transpiled by jco to JS + core wasm (`jco transpile --instantiation sync`), called from JS in
// node. Timing as bench/peers/v8_bench.mjs: process CPU time (every thread, so V8's GC and
// compile threads count), each batch doubled until it takes 20 ms, median of REPS batches; plus
// a warm-up of 200 ms CPU per operation.
//
// Usage: node jco_bench.mjs TRANSPILED_DIR REPS
// Prints "key<TAB>cpu_ns_per_op" lines on stdout (keys as run.sh expects them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, repsArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node jco_bench.mjs TRANSPILED_DIR REPS');
  process.exit(2);
}
const reps = Number(repsArg) > 0 ? Number(repsArg) : 5;
const MIN_BATCH_MS = 20;

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

// Runs `op` for WARMUP_MS of CPU time first: jco's bindings are large functions that V8
// optimises only after many calls, and the first timed batches otherwise vary tenfold.
const WARMUP_MS = 200;

function measure(op) {
  const w0 = cpuNs();
  while (cpuNs() - w0 < WARMUP_MS * 1e6) op(64);
  let n = 1;
  for (;;) {
    const t0 = cpuNs();
    op(n);
    const dt = cpuNs() - t0;
    if (dt >= MIN_BATCH_MS * 1e6 || n >= 2 ** 40) break;
    n *= 2;
  }
  const perOp = [];
  for (let r = 0; r < reps; ++r) {
    const t0 = cpuNs();
    op(n);
    perOp.push((cpuNs() - t0) / n);
  }
  perOp.sort((a, b) => a - b);
  const m = perOp.length >> 1;
  return perOp.length % 2 ? perOp[m] : 0.5 * (perOp[m - 1] + perOp[m]);
}

function report(key, ns) {
  process.stdout.write(`${key}\t${ns.toFixed(3)}\n`);
  process.stderr.write(`  jco ${key.padEnd(26)} ${ns.toFixed(1).padStart(12)} ns\n`);
}

function check(what, ok) {
  if (!ok) {
    console.error(`jco_bench: wrong result from ${what}`);
    process.exit(1);
  }
}

const { instantiate } = await import(pathToFileURL(join(dir, 'calls.js')).href);
// Every core module the bindings ask for, compiled once (as Hull's InstancePre holds them).
const modules = new Map();
const getCoreModule = (name) => {
  if (!modules.has(name)) modules.set(name, new WebAssembly.Module(readFileSync(join(dir, name))));
  return modules.get(name);
};
const root = instantiate(getCoreModule, {});
const calls = root['local:bench/calls'] ?? root.calls;
let sink = 0;

check('add', calls.add(40, 2) === 42);
report('call.add', measure((n) => {
  for (let i = 0; i < n; ++i) sink += calls.add(40, 2);
}));

// u64 fields are BigInt in jco's bindings.
const rec = { a: 1, b: 2, c: 3n, d: 0.5 };
check('sum', calls.sum(rec) === 6.5);
report('call.sum_record', measure((n) => {
  for (let i = 0; i < n; ++i) sink += calls.sum(rec);
}));
report('call.sum_record_build', measure((n) => {
  for (let i = 0; i < n; ++i) sink += calls.sum({ a: 1, b: 2, c: 3n, d: 0.5 });
}));

for (const size of [8, 1024, 64 * 1024]) {
  let s = '';
  for (let i = 0; i < size; ++i) s += String.fromCharCode(97 + (i % 26));
  check(`echo/${size}`, calls.echo(s) === s);
  report(`call.echo.${size}`, measure((n) => {
    for (let i = 0; i < n; ++i) sink += calls.echo(s).length;
  }));
}

// The same core `add` called straight from JS (no component bindings): V8's JS->wasm call.
const core = new WebAssembly.Instance(getCoreModule('calls.core.wasm'), {});
check('core add', core.exports.add(40, 2) === 42);
report('core.add', measure((n) => {
  for (let i = 0; i < n; ++i) sink += core.exports.add(40, 2);
}));

// instantiate() with the core modules already compiled: jco's InstancePre::instantiate.
report('instantiate', measure((n) => {
  for (let i = 0; i < n; ++i) sink += instantiate(getCoreModule, {}) ? 1 : 0;
}));

if (sink === 0.5) console.error(sink);  // keeps `sink` alive
