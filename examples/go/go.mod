module github.com/sethealth/sethealth-core/examples/go

go 1.24

require github.com/sethealth/sethealth-core/bindings/go v0.0.0

replace github.com/sethealth/sethealth-core/bindings/go => ../../bindings/go
