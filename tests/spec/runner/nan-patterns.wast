;; nan:canonical and nan:arithmetic are checked per value and per lane. The expected output
;; is at the end.
(module
  (func (export "f32") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "f64") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0)))
  (func (export "v") (param i32 i32) (result v128)
    (i32x4.replace_lane 1 (i32x4.splat (local.get 0)) (local.get 1)))
)
(assert_return (invoke "f32" (i32.const 0x7fc00000)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0xffc00000)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0x7fc00001)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0x7fc00001)) (f32.const nan:arithmetic))
(assert_return (invoke "f32" (i32.const 0x7f800001)) (f32.const nan:arithmetic))
(assert_return (invoke "f32" (i32.const 0x3f800000)) (f32.const nan:arithmetic))
(assert_return (invoke "f64" (i64.const 0x7ff8000000000001)) (f64.const nan:canonical))
(assert_return (invoke "f64" (i64.const 0x7ff0000000000001)) (f64.const nan:arithmetic))
(assert_return (invoke "v" (i32.const 0x7fc00000) (i32.const 0x7fc00000))
  (v128.const f32x4 nan:canonical nan:canonical nan:canonical nan:canonical))
(assert_return (invoke "v" (i32.const 0x7fc00000) (i32.const 0x7fc00001))
  (v128.const f32x4 nan:canonical nan:canonical nan:canonical nan:canonical))
(assert_return (invoke "v" (i32.const 0x7fc00000) (i32.const 0x7fc00001))
  (v128.const f32x4 nan:canonical nan:arithmetic nan:canonical nan:canonical))
(assert_return (invoke "v" (i32.const 0x7fc00000) (i32.const 0x3f800000))
  (v128.const f32x4 nan:canonical 1.0 nan:canonical nan:canonical))
(assert_return (invoke "v" (i32.const 0x7fc00000) (i32.const 0x3f800000))
  (v128.const f32x4 nan:canonical 2.0 nan:canonical nan:canonical))

;; expect: nan-patterns.wast:11: assert_return: result 0: expected f32:nan:canonical, got f32:0x7fc00001 (nan)
;; expect: nan-patterns.wast:13: assert_return: result 0: expected f32:nan:arithmetic, got f32:0x7f800001 (nan)
;; expect: nan-patterns.wast:14: assert_return: result 0: expected f32:nan:arithmetic, got f32:0x3f800000 (1)
;; expect: nan-patterns.wast:15: assert_return: result 0: expected f64:nan:canonical, got f64:0x7ff8000000000001 (nan)
;; expect: nan-patterns.wast:16: assert_return: result 0: expected f64:nan:arithmetic, got f64:0x7ff0000000000001 (nan)
;; expect: nan-patterns.wast:19: assert_return: result 0: expected v128:f32x4 nan:canonical nan:canonical nan:canonical nan:canonical, got v128:i32x4 0x7fc00000 0x7fc00001 0x7fc00000 0x7fc00000
;; expect: nan-patterns.wast:25: assert_return: result 0: expected v128:f32x4 nan:canonical 0x40000000 nan:canonical nan:canonical, got v128:i32x4 0x7fc00000 0x3f800000 0x7fc00000 0x7fc00000
;; expect: nan-patterns.wast: 6 passed, 7 failed, 0 skipped
;; status: 1
