;; Valid syntax, but core function 0 does not exist: not a valid component.
(component
  (func (export "f") (canon lift (core func 0))))
