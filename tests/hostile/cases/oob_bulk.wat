;; Bulk memory operations that run past the end must trap (and write nothing).
(module (memory 1)
  (func (export "fill") (memory.fill (i32.const 65000) (i32.const 1) (i32.const 1000)))
  (func (export "copy") (memory.copy (i32.const 0) (i32.const 0xFFFFFFF0) (i32.const 32)))
  (func (export "fill-huge") (memory.fill (i32.const 0) (i32.const 1) (i32.const 0xFFFFFFFF))))
