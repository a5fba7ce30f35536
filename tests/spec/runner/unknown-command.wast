;; A command nobody knows fails the whole script, at its line.
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(assert_frobnicated (invoke "f") (i32.const 1))

;; status: 1
;; expect: unknown-command.wast:4:2: unknown command `assert_frobnicated`
;; expect: unknown-command.wast: 0 passed, 1 failed, 0 skipped (script did not parse)
