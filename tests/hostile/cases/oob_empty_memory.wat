;; A zero-page memory: every access is out of bounds, including address 0.
(module (memory 0)
  (func (export "run") (result i32) (i32.load8_u (i32.const 0))))
