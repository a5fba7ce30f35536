;; Grows a table until -1; under --max-table-elements 10000 it stops at 10000.
(module (table 0 funcref)
  (func (export "run") (result i32)
    (block $d (loop $l
      (br_if $d (i32.eq (table.grow (ref.null func) (i32.const 1000)) (i32.const -1))) (br $l)))
    (table.size)))
