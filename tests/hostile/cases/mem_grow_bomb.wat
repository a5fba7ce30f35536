;; memory.grow bomb (no maximum): grow by 4096 pages until -1, then by 1 page until -1; returns
;; the final size in pages (65536 for a 32-bit memory: 4 GiB).
(module
  (memory 1)
  (func (export "run") (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 4096)) (i32.const -1)))
        (br $l)))
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $l)))
    (memory.size)))
