;; An untrusted plugin for examples/embed-cpp: reads a JSON document the host wrote into its
;; memory, sums every integer in it and answers {"sum":N}. "hog" tries to grab 6.4 MB more
;; memory, which the host's memory cap refuses.
(module
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $out_len (mut i32) (i32.const 0))
  (data (i32.const 600) "{\"sum\":")
  (data (i32.const 610) "}")
  (data (i32.const 620) "plugin: summing integers")

  ;; A bump allocator for the host's input.
  (func (export "alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))

  (func (export "out_len") (result i32) (global.get $out_len))

  ;; Writes the decimal digits of $v at $dst; returns how many.
  (func $itoa (param $v i64) (param $dst i32) (result i32)
    (local $tmp i32) (local $n i32)
    (local.set $tmp (i32.const 560))
    (loop $digit
      (local.set $tmp (i32.sub (local.get $tmp) (i32.const 1)))
      (i32.store8 (local.get $tmp)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (local.set $n (i32.sub (i32.const 560) (local.get $tmp)))
    (memory.copy (local.get $dst) (local.get $tmp) (local.get $n))
    (local.get $n))

  ;; process(ptr, len) -> pointer to the answer; out_len() gives its length.
  (func (export "process") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $c i32) (local $in i32) (local $cur i64) (local $sum i64) (local $o i32)
    (call $log (i32.const 620) (i32.const 24))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
          (then
            (local.set $cur (i64.add (i64.mul (local.get $cur) (i64.const 10))
                                     (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
            (local.set $in (i32.const 1)))
          (else
            (if (local.get $in)
              (then (local.set $sum (i64.add (local.get $sum) (local.get $cur)))))
            (local.set $cur (i64.const 0))
            (local.set $in (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (if (local.get $in) (then (local.set $sum (i64.add (local.get $sum) (local.get $cur)))))
    ;; {"sum": + digits + }
    (local.set $o (global.get $heap))
    (memory.copy (local.get $o) (i32.const 600) (i32.const 7))
    (local.set $n (call $itoa (local.get $sum) (i32.add (local.get $o) (i32.const 7))))
    (i32.store8 (i32.add (local.get $o) (i32.add (i32.const 7) (local.get $n))) (i32.const 125))
    (global.set $out_len (i32.add (local.get $n) (i32.const 8)))
    (local.get $o))

  (func (export "hog") (result i32) (memory.grow (i32.const 100))))
