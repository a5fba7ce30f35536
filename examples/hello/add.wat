;; A minimal module: `hull run add.wat --invoke add 2 40` prints 42.
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))
