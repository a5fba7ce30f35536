;; Minimum 20000 elements: above a 10000 --max-table-elements limit, instantiation fails.
(module (table 20000 funcref) (func (export "run")))
