// Package main only pins the Kubernetes module; the binaries are built with
//   go build k8s.io/kubernetes/cmd/<name>
// from this module (see local-mesh/bin/build); the `tool` lines in go.mod keep go.sum complete
// for those commands.
package main

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubectl/pkg/cmd"
	_ "k8s.io/kubernetes/cmd/kube-proxy/app"
)

func main() {}
