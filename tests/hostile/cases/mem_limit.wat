;; Grows memory until -1; under --max-memory 64MiB that happens at 1024 pages.
(module (memory 1)
  (func (export "run") (result i32)
    (block $d (loop $l (br_if $d (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $l)))
    (memory.size)))
