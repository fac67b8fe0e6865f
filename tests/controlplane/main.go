// Command mm-controlplane is the project's test control plane in one binary.
//
//	mm-controlplane up [flags]                  start etcd + kube-apiserver + kube-controller-manager
//	mm-controlplane etcd [flags]                embedded etcd (go.etcd.io/etcd/server/v3/embed)
//	mm-controlplane kube-apiserver [flags]      k8s.io/kubernetes/cmd/kube-apiserver
//	mm-controlplane kube-controller-manager ... k8s.io/kubernetes/cmd/kube-controller-manager
//	mm-controlplane kubectl [args]              k8s.io/kubernetes/cmd/kubectl
//
// It also dispatches on its own name, so a symlink called kubectl behaves as kubectl.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // CronJob time zones, as in the upstream mains

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

const usage = `usage: mm-controlplane <up|etcd|kube-apiserver|kube-controller-manager|kubectl|version> [flags]
  up                       start a local control plane on loopback and keep it running
  etcd                     run embedded etcd
  kube-apiserver           run kube-apiserver (same flags as upstream)
  kube-controller-manager  run kube-controller-manager (same flags as upstream)
  kubectl                  run kubectl
  version                  print the Kubernetes version this binary was built from
`

func main() {
	mode := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if mode == "mm-controlplane" || mode == "main" {
		if len(args) == 0 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		mode, args = args[0], args[1:]
	}
	os.Args = append([]string{mode}, args...)
	switch mode {
	case "up":
		os.Exit(runUp(args))
	case "etcd":
		os.Exit(runEtcd(args))
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kubectl":
		if err := cli.RunNoErrOutput(kubectlcmd.NewDefaultKubectlCommand()); err != nil {
			cmdutil.CheckErr(err) // prints the error the way kubectl does and exits 1
		}
	case "version", "--version":
		fmt.Println(kubernetesVersion)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "mm-controlplane: unknown mode %q\n%s", mode, usage)
		os.Exit(2)
	}
}

// kubernetesVersion is the k8s.io/kubernetes release pinned in go.mod.
const kubernetesVersion = "v1.35.4"
