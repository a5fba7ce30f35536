;; A component whose one export counts in a loop: `hull-native run` runs its core code with the
;; tier asked for (tests/cli/native.sh).
(component
  (core module $m
    (func $count (export "count") (param $n i32) (result i64)
      (local $i i32) (local $s i64)
      (loop $l
        local.get $s local.get $i i64.extend_i32_u i64.add local.set $s
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u br_if $l)
      local.get $s))
  (core instance $i (instantiate $m))
  (func (export "count") (param "n" u32) (result u64) (canon lift (core func $i "count"))))
