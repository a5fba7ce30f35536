;; A form the core runner does not model is a failure with its line, never ignored. The
;; expected output is at the end.
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(thread $T (module (func)))
(wait $T)
(input "x.wast")
(assert_return (invoke "f") (i32.const 1))

;; status: 1
;; expect: unknown-form.wast:5: unsupported command (thread)
;; expect: unknown-form.wast:6: unsupported command (wait)
;; expect: unknown-form.wast:7: unsupported command (input)
;; expect: unknown-form.wast: 2 passed, 3 failed, 0 skipped
