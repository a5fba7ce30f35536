;; An embedded core module whose start function never returns: instantiating the component
;; must stop under --fuel and --timeout, like a core module's start function.
(component
  (core module $M
    (func $spin (loop $l (br $l)))
    (start $spin)
    (func (export "f")))
  (core instance $m (instantiate $M))
  (func (export "f") (canon lift (core func $m "f"))))
