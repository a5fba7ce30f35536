;; One memory.grow far past 4 GiB: must return -1.
(module (memory 1)
  (func (export "run") (result i32) (memory.grow (i32.const 0xFFFFFFFF))))
