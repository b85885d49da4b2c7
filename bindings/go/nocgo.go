//go:build !cgo

package sethealth

// This package calls sethealth-core through cgo. Build with CGO_ENABLED=1
// and a C compiler; the identifier below is undefined on purpose so that
// the build fails with its name as the explanation.
var _ = this_package_requires_cgo_set_CGO_ENABLED_1
