;; Accesses whose effective address wraps past 2^32: address + offset is computed in 64 bits.
(module (memory 1)
  (func (export "load-ffffffff+1") (result i32) (i32.load offset=1 (i32.const 0xFFFFFFFF)))
  (func (export "load-1+ffffffff") (result i32) (i32.load8_u offset=0xFFFFFFFF (i32.const 1)))
  (func (export "load64-wrap") (result i64) (i64.load offset=0xFFFFFFF8 (i32.const 8)))
  (func (export "store-wrap") (i32.store offset=4 (i32.const 0xFFFFFFFE) (i32.const 1)))
  (func (export "load-ffffffff") (result i32) (i32.load8_u (i32.const 0xFFFFFFFF))))
