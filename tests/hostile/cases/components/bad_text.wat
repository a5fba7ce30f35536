;; Component text that must be rejected with its line and column: a canon lift of a core
;; function with a misspelled option, after valid definitions.
(component
  (core module $M (func (export "f")))
  (core instance $m (instantiate $M))
  (func (export "f") (canon lift (core func $m "f") (memroy 0))))
