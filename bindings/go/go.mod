module github.com/sethealth/sethealth-core/bindings/go

go 1.24
