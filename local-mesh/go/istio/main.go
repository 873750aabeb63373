// Package main only pins istio.io/istio; the binaries are built with
//   go build istio.io/istio/istioctl/cmd/istioctl istio.io/istio/pilot/cmd/pilot-discovery
// from this module (see local-mesh/bin/build); the `tool` lines in go.mod keep go.sum complete
// for those commands.
package main

import (
	_ "istio.io/istio/istioctl/cmd"
	_ "istio.io/istio/pilot/cmd/pilot-discovery/app"
)

func main() {}
