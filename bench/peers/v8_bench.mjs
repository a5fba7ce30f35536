// In-process costs of V8 through its JS embedding (node): compile (new WebAssembly.Module),
// instantiate (new WebAssembly.Instance), JS->wasm calls and wasm->JS import calls, with the
// same modules and the same timing scheme as capi_bench.c (median of REPS calibrated batches of
// process CPU time; process.cpuUsage() counts every thread, so V8's background compile and GC
// threads are included).
//
// Usage: node [V8 flags] v8_bench.mjs LABEL MODULE_DIR REPS
// Prints "LABEL<TAB>key<TAB>cpu_ns_per_op" lines on stdout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [label, dir, repsArg] = process.argv.slice(2);
if (!label || !dir) {
  console.error('usage: node v8_bench.mjs LABEL MODULE_DIR REPS');
  process.exit(2);
}
const reps = Number(repsArg) > 0 ? Number(repsArg) : 5;
const LOOP_CALLS = 1 << 20;
const MIN_BATCH_MS = 20;

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

// Same calibration as timing.h: double the batch until it takes MIN_BATCH_MS of CPU time.
function measure(op) {
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
  process.stdout.write(`${label}\t${key}\t${ns.toFixed(3)}\n`);
  const shown = ns.toFixed(1).padStart(14);
  process.stderr.write(`  ${label.padEnd(10)} ${key.padEnd(22)} ${shown} ns\n`);
}

let sink = 0;
let compiles = 0;
const modules = [['sha256', 'sha256.run.wasm'], ['large1', 'large1.wasm'],
                 ['large10', 'large10.wasm']];
for (const [key, file] of modules) {
  const bytes = readFileSync(join(dir, file));
  // V8 caches compiled modules by their bytes (--wasm-native-module-cache-enabled): a trailing
  // custom section "n" holding a counter makes every compiled copy distinct, so each
  // iteration really decodes, validates (and, with eager flags, compiles) the module.
  const unique = Buffer.concat([bytes, Buffer.from([0x00, 0x0a, 0x01, 0x6e]), Buffer.alloc(8)]);
  const counterAt = bytes.length + 4;
  report(`compile.${key}`, measure((n) => {
    for (let i = 0; i < n; ++i) {
      unique.writeDoubleLE(++compiles, counterAt);
      sink += new WebAssembly.Module(unique) ? 1 : 0;
    }
  }));
  const mod = new WebAssembly.Module(bytes);
  report(`inst.${key}`, measure((n) => {
    for (let i = 0; i < n; ++i) sink += new WebAssembly.Instance(mod, {}) ? 1 : 0;
  }));
  report(`inst_exports.${key}`, measure((n) => {
    for (let i = 0; i < n; ++i) {
      sink += Object.keys(new WebAssembly.Instance(mod, {}).exports).length;
    }
  }));
}

const callsModule = new WebAssembly.Module(readFileSync(join(dir, 'calls.wasm')));
const calls = new WebAssembly.Instance(callsModule, { env: { f: () => {} } });
const { empty, add, call_host, call_guest } = calls.exports;
if (add(40, 2) !== 42) throw new Error('add(40, 2) != 42');

report('call.empty', measure((n) => {
  for (let i = 0; i < n; ++i) empty();
}));
report('call.add', measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; ++i) acc += add(i | 0, 2);
  sink += acc;
}));
report('g2h.host', measure((n) => {
  for (let i = 0; i < n; ++i) call_host(LOOP_CALLS);
}) / LOOP_CALLS);
report('g2h.guest', measure((n) => {
  for (let i = 0; i < n; ++i) call_guest(LOOP_CALLS);
}) / LOOP_CALLS);
if (sink === 0.5) console.error(sink);  // keep `sink` observable
