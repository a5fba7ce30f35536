;; assert_* commands compare the failure with the expected text (and its kind); each
;; mismatch is a failure that names both. The expected output is at the end.
(assert_invalid (module (func (result i32) (i64.const 0))) "unknown function")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00bsm\01\00\00\00") "unexpected end")
(assert_malformed (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module binary "\00asm\01\00\00\00\01\02") "unknown type")
(module (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow")
(assert_trap (invoke "div" (i32.const 1) (i32.const 1)) "integer overflow")
(assert_unlinkable (module (import "spectest" "nowhere" (func))) "incompatible import type")
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000) drop)") "constant out of range")
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000) drop)") "unknown operator")
(module (tag $e (param i32)) (func (export "throw") (throw $e (i32.const 1))) (func (export "trap") unreachable) (func (export "ok")))
(assert_exception (invoke "throw"))
(assert_exception (invoke "trap"))
(assert_exception (invoke "ok"))
(assert_trap (invoke "throw") "unreachable")

;; expect: wrong-message.wast:3: assert_invalid: expected "unknown function", got "type mismatch: 
;; expect: wrong-message.wast:6: assert_malformed: expected "unexpected end", got "magic header not detected
;; expect: wrong-message.wast:7: assert_malformed: expected a malformed module ("type mismatch"), got invalid: type mismatch
;; expect: wrong-message.wast:8: assert_invalid: expected an invalid module ("unknown type"), got malformed: length out of bounds
;; expect: wrong-message.wast:11: assert_trap: expected trap "integer overflow", got "integer divide by zero"
;; expect: wrong-message.wast:12: assert_trap: expected trap "integer overflow", got a result
;; expect: wrong-message.wast:13: assert_unlinkable: expected "incompatible import type", got "unknown import "spectest" "nowhere""
;; expect: wrong-message.wast:14: assert_invalid: module was accepted (expected "type mismatch")
;; expect: wrong-message.wast:16: assert_malformed: expected "unknown operator", got "1:18: i32 constant out of range"
;; expect: wrong-message.wast:19: assert_exception: expected an uncaught exception, got trap "unreachable"
;; expect: wrong-message.wast:20: assert_exception: expected an uncaught exception, got a result
;; expect: wrong-message.wast:21: assert_trap: expected trap "unreachable", got "uncaught exception (i32 1)"
;; expect: wrong-message.wast: 5 passed, 12 failed, 0 skipped
;; status: 1
