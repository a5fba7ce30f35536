;; The component of bench/component/component_bench.cc and jco_bench.mjs: an exported interface
;; local:bench/calls with three functions whose host-to-component call cost docs/PERFORMANCE.md
;; ("Components") reports.
;;   echo: func(s: string) -> string      lowered into a bump allocator, copied, lifted back;
;;                                         post-return resets the allocator
;;   sum:  func(r: record {a: u32, b: u32, c: u64, d: f64}) -> f64   record flattened to
;;                                         (i32, i32, i64, f64) core params
;;   add:  func(a: u32, b: u32) -> u32    the same body as the core baseline
(component
  (core module $M
    (memory (export "mem") 1)
    ;; Bytes 0..8 hold echo's return area (ptr, len); allocations start at 16.
    (global $bump (mut i32) (i32.const 16))
    (func $realloc (export "realloc")
      (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $end i32) (local $have i32)
      (local.set $p
        (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                 (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (if (i32.eq
                (memory.grow
                  (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have))
                                      (i32.const 0xffff))
                             (i32.const 16)))
                (i32.const -1))
            (then unreachable))))
      (global.set $bump (local.get $end))
      (local.get $p))
    (func (export "echo") (param $ptr i32) (param $len i32) (result i32)
      (local $dst i32)
      (local.set $dst (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
      (memory.copy (local.get $dst) (local.get $ptr) (local.get $len))
      (i32.store (i32.const 0) (local.get $dst))
      (i32.store (i32.const 4) (local.get $len))
      (i32.const 0))
    ;; post-return of echo: the host has copied the result out; free everything.
    (func (export "echo-post") (param i32)
      (global.set $bump (i32.const 16)))
    (func (export "sum") (param $a i32) (param $b i32) (param $c i64) (param $d f64) (result f64)
      (f64.add
        (f64.add (f64.convert_i32_u (local.get $a)) (f64.convert_i32_u (local.get $b)))
        (f64.add (f64.convert_i64_u (local.get $c)) (local.get $d))))
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1))))
  (core instance $m (instantiate $M))

  ;; The exports form one WIT interface, local:bench/calls (jco's bindings generator accepts a
  ;; record type only inside an interface, not at the component's root).
  (type $r' (record (field "a" u32) (field "b" u32) (field "c" u64) (field "d" f64)))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $m "mem"))
      (realloc (core func $m "realloc")) (post-return (core func $m "echo-post"))))
  (func $sum (param "r" $r') (result f64)
    (canon lift (core func $m "sum")))
  (func $add (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "add")))
  (instance $calls
    (export "r" (type $r'))
    (export "echo" (func $echo))
    (export "sum" (func $sum))
    (export "add" (func $add)))
  (export "local:bench/calls" (instance $calls))
)
