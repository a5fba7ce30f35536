;; A minimum of 65536 pages (4 GiB): may instantiate or fail cleanly, never crash.
(module (memory 65536)
  (func (export "run") (result i32)
    (i32.store (i32.const 0xFFFFFFFC) (i32.const 7)) (i32.load (i32.const 0xFFFFFFFC))))
