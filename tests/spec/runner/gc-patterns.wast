;; GC result patterns check the object's kind: ref.struct only a struct, ref.array only an
;; array, ref.i31 only an i31, ref.eq any of those three, ref.any also a host reference seen
;; through any.convert_extern (which ref.host N names exactly). The expected output is at the end.
(module
  (type $s (struct (field i32)))
  (type $a (array i8))
  (func (export "struct") (result anyref) (struct.new $s (i32.const 1)))
  (func (export "array") (result anyref) (array.new_default $a (i32.const 2)))
  (func (export "i31") (result anyref) (ref.i31 (i32.const 3)))
  (func (export "host") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "back") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0))))
  (func (export "get") (result i32) (struct.get $s 0 (struct.new $s (i32.const 7))))
)
(assert_return (invoke "struct") (ref.struct))
(assert_return (invoke "struct") (ref.eq))
(assert_return (invoke "struct") (ref.any))
(assert_return (invoke "struct") (ref.array))
(assert_return (invoke "array") (ref.array))
(assert_return (invoke "array") (ref.i31))
(assert_return (invoke "i31") (ref.i31))
(assert_return (invoke "i31") (ref.eq))
(assert_return (invoke "i31") (ref.struct))
(assert_return (invoke "host" (ref.extern 1)) (ref.any))
(assert_return (invoke "host" (ref.extern 1)) (ref.host 1))
(assert_return (invoke "host" (ref.extern 1)) (ref.host 2))
(assert_return (invoke "host" (ref.extern 1)) (ref.eq))
(assert_return (invoke "back" (ref.extern 1)) (ref.extern 1))
(assert_return (invoke "get") (i32.const 7))

;; expect: gc-patterns.wast:18: assert_return: result 0: expected ref.array, got ref.struct (type any)
;; expect: gc-patterns.wast:20: assert_return: result 0: expected ref.i31, got ref.array (type any)
;; expect: gc-patterns.wast:23: assert_return: result 0: expected ref.struct, got ref.i31 3 (type any)
;; expect: gc-patterns.wast:26: assert_return: result 0: expected ref.host 2, got ref.extern 1 (type any)
;; expect: gc-patterns.wast:27: assert_return: result 0: expected ref.eq, got ref.extern 1 (type any)
;; expect: gc-patterns.wast: 10 passed, 5 failed, 0 skipped
;; status: 1
