;; A module that needs GC is skipped, with the commands that use it
;; (also through register and module definitions); skipped is never passed, and everything
;; else still runs. The expected output (with -v) is at the end.
(module $gc
  (type $s (struct (field i32)))
  (func (export "new") (result i32) (struct.get $s 0 (struct.new $s (i32.const 7))))
)
(assert_return (invoke "new") (i32.const 7))
(assert_return (invoke $gc "new") (i32.const 7))
(register "gc" $gc)
(module (import "gc" "new" (func (result i32))))
(module $eh
  (tag $t)
  (func (export "throw") (throw $t))
)
(assert_exception (invoke $eh "throw"))
(module definition $d (type $a (array i8)) (func (drop (array.new_default $a (i32.const 1)))))
(module instance $i $d)
(module $ok (func (export "two") (result i32) (i32.const 2)))
(assert_return (invoke "two") (i32.const 2))
(assert_return (invoke $gc "new") (i32.const 7))
(assert_invalid (module (func (result i32) (ref.i31 (i64.const 0)))) "type mismatch")

;; run: -v
;; expect: skipped.wast:4: skipped: module: needs gc: interpreter: unsupported instruction struct.new
;; expect: skipped.wast:8: skipped: assert_return: needs gc: interpreter: unsupported instruction struct.new
;; expect: skipped.wast:9: skipped: assert_return: needs gc: interpreter: unsupported instruction struct.new
;; expect: skipped.wast:10: skipped: register: needs gc: interpreter: unsupported instruction struct.new
;; expect: skipped.wast:11: skipped: module: imports from "gc", which was skipped (needs gc: interpreter: unsupported instruction struct.new)
;; expect: skipped.wast:17: skipped: module: needs gc: interpreter: unsupported instruction array.new_default
;; expect: skipped.wast:18: skipped: module instance: needs gc: interpreter: unsupported instruction array.new_default
;; expect: skipped.wast:21: skipped: assert_return: needs gc: interpreter: unsupported instruction struct.new
;; expect: skipped.wast: skipped 8 (needs gc), the first at line 4
;; expect: skipped.wast: 3 passed, 0 failed, 8 skipped
