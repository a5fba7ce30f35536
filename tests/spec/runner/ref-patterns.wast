;; Reference result patterns check the kind: ref.func only a function, ref.extern N only
;; that host reference, ref.null HT only a null of HT's hierarchy, and a GC kind Hull cannot
;; tell is a failure. The expected output is at the end.
(module
  (func $f (export "f"))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "fn") (result funcref) (ref.func $f))
  (func (export "null-func") (result funcref) (ref.null func))
  (func (export "null-extern") (result externref) (ref.null extern))
  (elem declare func $f)
)
(assert_return (invoke "id" (ref.extern 1)) (ref.func))
(assert_return (invoke "id" (ref.extern 1)) (ref.extern 2))
(assert_return (invoke "id" (ref.extern 1)) (ref.extern 1))
(assert_return (invoke "id" (ref.extern 1)) (ref.extern))
(assert_return (invoke "fn") (ref.extern))
(assert_return (invoke "fn") (ref.func))
(assert_return (invoke "fn") (ref.null func))
(assert_return (invoke "null-func") (ref.null extern))
(assert_return (invoke "null-func") (ref.null func))
(assert_return (invoke "null-func") (ref.null))
(assert_return (invoke "null-extern") (ref.null func))
(assert_return (invoke "null-extern") (ref.null extern))
(assert_return (invoke "id" (ref.extern 1)) (ref.struct))
(assert_return (invoke "fn") (ref.any))
(assert_return (invoke "null-extern") (ref.extern))
(assert_return (invoke "id" (ref.extern 1)) (either (ref.func) (ref.extern 1)))

;; expect: ref-patterns.wast:12: assert_return: result 0: expected ref.func, got ref.extern 1 (type extern)
;; expect: ref-patterns.wast:13: assert_return: result 0: expected ref.extern 2, got ref.extern 1 (type extern)
;; expect: ref-patterns.wast:16: assert_return: result 0: expected ref.extern, got ref.func (type func)
;; expect: ref-patterns.wast:18: assert_return: result 0: expected ref.null func, got ref.func (type func)
;; expect: ref-patterns.wast:19: assert_return: result 0: expected ref.null extern, got ref.null func
;; expect: ref-patterns.wast:22: assert_return: result 0: expected ref.null func, got ref.null extern
;; expect: ref-patterns.wast:24: assert_return: result 0: expected ref.struct, got ref.extern 1 (type extern)
;; expect: ref-patterns.wast:25: assert_return: result 0: expected ref.any, got ref.func (type func)
;; expect: ref-patterns.wast:26: assert_return: result 0: expected ref.extern, got ref.null extern
;; expect: ref-patterns.wast: 7 passed, 9 failed, 0 skipped
;; status: 1
