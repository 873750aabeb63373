// Package main only pins sigs.k8s.io/kwok; the binary is built with
//   go build sigs.k8s.io/kwok/cmd/kwok
// from this module (see local-mesh/bin/build); the `tool` lines in go.mod keep go.sum complete
// for those commands.
package main

import _ "sigs.k8s.io/kwok/pkg/kwok/cmd"

func main() {}
