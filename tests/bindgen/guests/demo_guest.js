// World `demo` (tests/bindgen/demo.wit) in JavaScript, made a component by componentize-js at
// test time (build.sh); the C++ host in bindgen_test.cc drives it through the generated
// bindings, with Hull's WASI 0.2 host for what the JS engine imports.
import { log } from 'test:bindgen/host@0.1.0';
import notify from 'notify';

export function greet(name) {
  const s = `Hello, ${name}!`;
  log(s);
  return s;
}

export function sum(values) {
  let total = 0;
  for (const v of values) total = (total + v) >>> 0;
  notify(total);
  return total;
}

export function translate(p, dx, dy) {
  return { x: p.x + dx, y: p.y + dy };
}

export function area(s) {
  switch (s.tag) {
    case 'circle': return 3n * BigInt(s.val) * BigInt(s.val);
    case 'rectangle': return BigInt(Math.abs(s.val.x * s.val.y));
    default: return 0n;
  }
}

// result<u32, string>: a return is `ok`, a throw is `err` with the thrown payload.
export function parse(text) {
  if (/^[0-9]+$/.test(text)) return Number(text);
  throw 'not a number';
}

export function find(values, needle) {
  const i = values.indexOf(needle);
  return i < 0 ? undefined : i;
}

export function tallyAll(t, values) {
  for (const v of values) t.add(v);
}

const next = { red: 'green', green: 'blue', blue: 'red' };
export function nextColor(c) {
  return next[c];
}

export function toggleWrite(p) {
  return { read: !!p.read, write: !p.write, exec: !!p.exec };
}

class Counter {
  constructor(start) {
    this.value = start;
  }
  increment(by) {
    this.value += by;
    return this.value;
  }
  static finish(c) {
    return c.value;
  }
}

export const api = { Counter };
