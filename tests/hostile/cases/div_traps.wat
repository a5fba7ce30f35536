;; Integer division traps and float->int truncation traps.
(module
  (func (export "i32.div_s-0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "i32.div_u-0") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
  (func (export "i32.rem_s-0") (result i32) (i32.rem_s (i32.const 1) (i32.const 0)))
  (func (export "i32.div_s-min") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "i32.rem_s-min") (result i32) (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "i64.div_s-0") (result i64) (i64.div_s (i64.const 1) (i64.const 0)))
  (func (export "i64.rem_u-0") (result i64) (i64.rem_u (i64.const 1) (i64.const 0)))
  (func (export "i64.div_s-min") (result i64)
    (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))
  (func (export "trunc-nan") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "trunc-big") (result i64) (i64.trunc_f64_u (f64.const 1e300))))
