;; try_table in dead code (found by fuzz_validate): the interpreter cannot run try_table yet,
;; but in unreachable code it must still close its own frame at its `end`. Before the fix the
;; lowering popped the enclosing frames and then read past an empty control stack.
(module
  (type $t (func))
  (func (export "run")
    unreachable
    (try_table)
    (try_table (block (try_table)))
    unreachable))
