;; Core module definitions and instances, also under assert_trap (a core script: it stays on
;; the core runner). The expected output is at the end.
(module definition $d
  (func $boom unreachable)
  (start $boom)
)
(assert_trap (module instance $i $d) "unreachable")
(assert_trap (module instance $i $d) "out of bounds memory access")
(module definition $ok (func (export "f") (result i32) (i32.const 5)))
(module instance $j $ok)
(assert_return (invoke $j "f") (i32.const 5))
(assert_trap (module instance $k $ok) "unreachable")
(module instance $x $nowhere)

;; status: 1
;; expect: module-instance.wast:8: assert_trap: expected "out of bounds memory access", got "unreachable"
;; expect: module-instance.wast:12: assert_trap: module instantiated without a trap
;; expect: module-instance.wast:13: module instance: unknown module definition $nowhere
;; expect: module-instance.wast: 2 passed, 3 failed, 0 skipped
