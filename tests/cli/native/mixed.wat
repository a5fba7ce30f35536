;; Functions the native tier compiles, one it leaves to the interpreter (native.sh names it in
;; HULL_NATIVE_INTERPRET), calls both ways between them, and traps from machine code.
(module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  ;; interpreted: doubles its argument through a boxed i31, then calls back into machine code.
  (func $boxed (export "boxed") (param i32) (result i32)
    (local i31ref)
    local.get 0 ref.i31 local.set 1
    local.get 1 i31.get_s local.get 1 i31.get_u i32.add
    i32.const 10 call $fib i32.add)
  ;; native, calling the interpreted function.
  (func (export "mixed") (param i32) (result i32) local.get 0 call $boxed i32.const 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func $deep (export "deep") (param i64) (result i64)
    local.get 0 i64.eqz if (result i64) i64.const 0
    else local.get 0 i64.const 1 i64.sub call $deep i64.const 1 i64.add end)
  ;; loops forever: only fuel or a deadline stops it
  (func (export "spin") (loop $l br $l))
  ;; sums 0..n-1 in one loop: tier-up leaves the interpreter at its header
  (func $count (export "count") (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (block $done (loop $l
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $s local.get $i i64.extend_i32_u i64.add local.set $s
      local.get $i i32.const 1 i32.add local.set $i
      br $l))
    local.get $s))
