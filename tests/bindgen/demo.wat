;; The component of tests/bindgen, implementing demo.wit's world `demo` (derived from
;; examples/component-cpp/demo.wat): the host's `log`, `notify` and `tally` are imported; the
;; counter resource is exported inside the interface `test:bindgen/api@0.1.0`.
(component
  (import "test:bindgen/host@0.1.0" (instance $host
    (export "log" (func (param "msg" string)))
    (export "tally" (type $tally (sub resource)))
    (export "[method]tally.add" (func (param "self" (borrow $tally)) (param "n" u32)))
  ))
  (alias export $host "tally" (type $tally))
  (import "notify" (func $notify (param "total" u32)))

  ;; Exported functions may only mention exported types, so each type is exported and the
  ;; signatures use the exported indices.
  (type $point (record (field "x" s32) (field "y" s32)))
  (export $point-t "point" (type $point))
  (type $shape (variant (case "circle" u32) (case "rectangle" $point-t) (case "empty")))
  (export $shape-t "shape" (type $shape))
  (type $color (enum "red" "green" "blue"))
  (export $color-t "color" (type $color))
  (type $perms (flags "read" "write" "exec"))
  (export $perms-t "perms" (type $perms))

  ;; Memory and a bump allocator (`realloc` for the canonical ABI and for the guest itself).
  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32)
                             (param $new_size i32) (result i32)
      (local $ptr i32) (local $end i32) (local $have i32)
      ;; Shrinking keeps the block where it is.
      (if (i32.and (i32.ne (local.get $old) (i32.const 0))
                   (i32.le_u (local.get $new_size) (local.get $old_size)))
        (then (return (local.get $old))))
      (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $ptr) (local.get $new_size)))
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have))
                                                       (i32.const 65535))
                                              (i32.const 16)))
                      (i32.const -1))
            (then unreachable))))
      (global.set $heap (local.get $end))
      (if (local.get $old)
        (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
      (local.get $ptr))
    (data (i32.const 16) "Hello, ")
    (data (i32.const 32) "not a number")
    (data (i32.const 48) "empty input")
    (data (i32.const 64) "out of range")
  )
  (core instance $libc (instantiate $libc))

  (alias export $host "log" (func $log))
  (core func $log-lowered (canon lower (func $log) (memory (core memory $libc "memory"))))
  (alias export $host "[method]tally.add" (func $tally-add))
  (core func $tally-add-lowered (canon lower (func $tally-add)))
  (core func $tally-drop (canon resource.drop $tally))
  (core func $notify-lowered (canon lower (func $notify)))

  ;; The exports' core code. Results that do not fit one core value are written to a return
  ;; area at address 256 (the canonical ABI reads them right after the call).
  (core module $main
    (import "libc" "memory" (memory 1))
    (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "host" "log" (func $log (param i32 i32)))
    (import "host" "tally-add" (func $tally-add (param i32 i32)))
    (import "host" "tally-drop" (func $tally-drop (param i32)))
    (import "host" "notify" (func $notify (param i32)))

    (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
      (local $out i32) (local $n i32)
      (local.set $n (i32.add (local.get $len) (i32.const 8)))
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $n)))
      (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $ptr) (local.get $len))
      (i32.store8 (i32.add (local.get $out) (i32.add (local.get $len) (i32.const 7))) (i32.const 33))
      (call $log (local.get $out) (local.get $n))
      (i32.store (i32.const 256) (local.get $out))
      (i32.store (i32.const 260) (local.get $n))
      (i32.const 256))

    (func (export "sum") (param $ptr i32) (param $len i32) (result i32)
      (local $i i32) (local $acc i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (local.set $acc (i32.add (local.get $acc)
                                   (i32.load (i32.add (local.get $ptr)
                                                      (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (call $notify (local.get $acc))
      (local.get $acc))

    ;; color: red -> green -> blue -> red
    (func (export "next-color") (param $c i32) (result i32)
      (i32.rem_u (i32.add (local.get $c) (i32.const 1)) (i32.const 3)))
    ;; perms: flip the `write` bit (bit 1)
    (func (export "toggle-write") (param $p i32) (result i32)
      (i32.xor (local.get $p) (i32.const 2)))

    (func (export "translate") (param $x i32) (param $y i32) (param $dx i32) (param $dy i32)
                               (result i32)
      (i32.store (i32.const 256) (i32.add (local.get $x) (local.get $dx)))
      (i32.store (i32.const 260) (i32.add (local.get $y) (local.get $dy)))
      (i32.const 256))

    ;; A shape arrives flattened: the case index, then the payloads' joined core values
    ;; (circle: the radius; rectangle: x, y).
    (func (export "area") (param $case i32) (param $a i32) (param $b i32) (result i64)
      (local $r i64)
      (if (i32.eq (local.get $case) (i32.const 0))
        (then (return (i64.mul (i64.const 3) (i64.mul (i64.extend_i32_u (local.get $a))
                                                      (i64.extend_i32_u (local.get $a)))))))
      (if (i32.eq (local.get $case) (i32.const 1))
        (then
          (local.set $r (i64.mul (i64.extend_i32_s (local.get $a)) (i64.extend_i32_s (local.get $b))))
          (if (i64.lt_s (local.get $r) (i64.const 0))
            (then (local.set $r (i64.sub (i64.const 0) (local.get $r)))))
          (return (local.get $r))))
      (i64.const 0))

    ;; result<u32, string> in the return area: the case byte at 256, the payload at 260.
    (func $error (param $msg i32) (param $len i32) (result i32)
      (i32.store8 (i32.const 256) (i32.const 1))
      (i32.store (i32.const 260) (local.get $msg))
      (i32.store (i32.const 264) (local.get $len))
      (i32.const 256))
    (func (export "parse") (param $ptr i32) (param $len i32) (result i32)
      (local $i i32) (local $digit i32) (local $acc i64)
      (if (i32.eqz (local.get $len))
        (then (return (call $error (i32.const 48) (i32.const 11)))))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (local.set $digit (i32.sub (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
                                     (i32.const 48)))
          (if (i32.gt_u (local.get $digit) (i32.const 9))
            (then (return (call $error (i32.const 32) (i32.const 12)))))
          (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 10))
                                   (i64.extend_i32_u (local.get $digit))))
          (if (i64.gt_u (local.get $acc) (i64.const 0xffffffff))
            (then (return (call $error (i32.const 64) (i32.const 12)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.store8 (i32.const 256) (i32.const 0))
      (i32.store (i32.const 260) (i32.wrap_i64 (local.get $acc)))
      (i32.const 256))

    ;; option<u32> in the return area: the case byte at 256, the index at 260.
    (func (export "find") (param $ptr i32) (param $len i32) (param $needle i32) (result i32)
      (local $i i32)
      (i32.store8 (i32.const 256) (i32.const 0))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (if (i32.eq (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2))))
                      (local.get $needle))
            (then
              (i32.store8 (i32.const 256) (i32.const 1))
              (i32.store (i32.const 260) (local.get $i))
              (br $done)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.const 256))

    ;; Adds each value to the host's tally through its method, then drops the borrowed handle
    ;; (a borrow must be dropped before the call that lent it returns).
    (func (export "tally-all") (param $tally i32) (param $ptr i32) (param $len i32)
      (local $i i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (call $tally-add (local.get $tally)
                           (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (call $tally-drop (local.get $tally)))

  )
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "log" (func $log-lowered))
      (export "tally-add" (func $tally-add-lowered))
      (export "tally-drop" (func $tally-drop))
      (export "notify" (func $notify-lowered))
    ))
  ))

  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $main "greet") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "sum") (param "values" (list u32)) (result u32)
    (canon lift (core func $main "sum") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "translate") (param "p" $point-t) (param "dx" s32) (param "dy" s32)
                             (result $point-t)
    (canon lift (core func $main "translate") (memory (core memory $libc "memory"))))
  (func (export "area") (param "s" $shape-t) (result u64)
    (canon lift (core func $main "area")))
  (func (export "parse") (param "text" string) (result (result u32 (error string)))
    (canon lift (core func $main "parse") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "find") (param "values" (list u32)) (param "needle" u32) (result (option u32))
    (canon lift (core func $main "find") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "tally-all") (param "t" (borrow $tally)) (param "values" (list u32))
    (canon lift (core func $main "tally-all") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc"))))
  (func (export "next-color") (param "c" $color-t) (result $color-t)
    (canon lift (core func $main "next-color")))
  (func (export "toggle-write") (param "p" $perms-t) (result $perms-t)
    (canon lift (core func $main "toggle-write")))
;; The exported interface: a nested component owns the counter resource, so the functions
  ;; of the exported instance mention the instance's own exported type.
  (component $Api
    (type $counter (resource (rep i32)))
    (core func $new (canon resource.new $counter))
    (core func $rep (canon resource.rep $counter))
    (core func $drop (canon resource.drop $counter))
    (core module $M
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (memory 1)
      (global $next (mut i32) (i32.const 16))
      ;; A counter's representation is the address of a 4-byte cell holding its count.
      (func (export "counter-new") (param $start i32) (result i32)
        (local $cell i32)
        (local.set $cell (global.get $next))
        (global.set $next (i32.add (global.get $next) (i32.const 4)))
        (i32.store (local.get $cell) (local.get $start))
        (call $new (local.get $cell)))
      ;; A borrow of a resource this component defines arrives as its representation.
      (func (export "counter-increment") (param $cell i32) (param $by i32) (result i32)
        (i32.store (local.get $cell) (i32.add (i32.load (local.get $cell)) (local.get $by)))
        (i32.load (local.get $cell)))
      ;; Takes ownership back: reads the count, then drops the handle.
      (func (export "counter-finish") (param $handle i32) (result i32)
        (local $value i32)
        (local.set $value (i32.load (call $rep (local.get $handle))))
        (call $drop (local.get $handle))
        (local.get $value)))
    (core instance $m (instantiate $M
      (with "" (instance (export "new" (func $new)) (export "rep" (func $rep))
                         (export "drop" (func $drop))))))
    (export $counter-t "counter" (type $counter))
    (func (export "[constructor]counter") (param "start" u32) (result (own $counter-t))
      (canon lift (core func $m "counter-new")))
    (func (export "[method]counter.increment") (param "self" (borrow $counter-t)) (param "by" u32)
                                               (result u32)
      (canon lift (core func $m "counter-increment")))
    (func (export "[static]counter.finish") (param "c" (own $counter-t)) (result u32)
      (canon lift (core func $m "counter-finish"))))
  (instance $api (instantiate $Api))
  (export "test:bindgen/api@0.1.0" (instance $api))
)
