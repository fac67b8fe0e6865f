package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// component is one process of the control plane, restartable with the same flags.
type component struct {
	name    string
	args    []string
	health  string // URL polled until it answers 200
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

type controlPlane struct {
	dir        string
	self       string
	client     *http.Client
	components []*component
	mu         sync.Mutex
}

// runUp starts etcd, kube-apiserver and (optionally) kube-controller-manager on
// loopback, prints "READY <kubeconfig>" and then serves commands on stdin:
// "restart|stop|start|pause|resume <component>" and "quit". EOF on stdin (the
// parent went away) or SIGTERM tears everything down.
func runUp(args []string) int {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for certificates, data, logs and the kubeconfig (default: a new temp dir, removed on exit)")
	host := fs.String("host", "127.0.0.1", "loopback address to bind")
	withKCM := fs.Bool("controller-manager", true, "also run kube-controller-manager")
	stdinControl := fs.Bool("stdin", true, "read commands from stdin; EOF means shut down")
	timeout := fs.Duration("timeout", 120*time.Second, "how long to wait for each component to become healthy")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	removeDir := false
	if *dir == "" {
		d, err := os.MkdirTemp("", "mm-controlplane-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "up:", err)
			return 1
		}
		*dir, removeDir = d, true
	}
	// Pdeathsig is tied to the OS thread that forks; keep this goroutine on one thread.
	runtime.LockOSThread()
	cp, err := newControlPlane(*dir, *host, *withKCM)
	if err == nil {
		err = cp.startAll(*timeout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "up:", err)
		cp.stopAll()
		return 1
	}
	fmt.Printf("READY %s\n", filepath.Join(*dir, "kubeconfig"))

	done := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if *stdinControl {
		go cp.serveCommands(*timeout, done)
	}
	go watchParent(done)
	select {
	case <-sig:
	case <-done:
	}
	cp.stopAll()
	if removeDir {
		os.RemoveAll(*dir)
	}
	return 0
}

// Metadata of every request, once, when the response is complete.
const auditPolicyYAML = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
`

func newControlPlane(dir, host string, withKCM bool) (*controlPlane, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p, err := newPKI(filepath.Join(dir, "pki"), host)
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	ports, err := freePorts(host, 4)
	if err != nil {
		return nil, err
	}
	etcdURL := fmt.Sprintf("http://%s:%d", host, ports[0])
	server := fmt.Sprintf("https://%s:%d", host, ports[2])
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, server, p); err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(p.AdminCertFile, p.AdminKeyFile)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(p.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cp := &controlPlane{dir: dir, self: self, client: &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pool, Certificates: []tls.Certificate{cert},
			// kube-controller-manager serves /healthz with a self-signed certificate.
			InsecureSkipVerify: false,
		}},
	}}
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	// Every request's metadata (user, user agent, verb, resource, status) goes to
	// logs/audit.log: the tests read from it what the operator called (the RBAC check).
	auditPolicy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(auditPolicy, []byte(auditPolicyYAML), 0o600); err != nil {
		return nil, err
	}
	cp.components = append(cp.components, &component{
		name: "etcd",
		args: []string{"etcd", "--data-dir", filepath.Join(dir, "etcd"),
			"--listen-client-url", etcdURL, "--listen-peer-url", fmt.Sprintf("http://%s:%d", host, ports[1])},
		health: etcdURL + "/health",
	}, &component{
		name: "kube-apiserver",
		args: []string{"kube-apiserver",
			"--etcd-servers=" + etcdURL,
			"--bind-address=" + host, "--advertise-address=" + host,
			fmt.Sprintf("--secure-port=%d", ports[2]),
			"--tls-cert-file=" + p.ServingCertFile, "--tls-private-key-file=" + p.ServingKeyFile,
			"--client-ca-file=" + p.CAFile,
			"--service-account-key-file=" + p.SAPublicFile,
			"--service-account-signing-key-file=" + p.SAPrivateFile,
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--authorization-mode=RBAC",
			"--service-cluster-ip-range=10.0.0.0/24",
			"--allow-privileged=true",
			"--enable-priority-and-fairness=false",
			"--profiling=false",
			"--cert-dir=" + filepath.Join(dir, "pki"),
			"--audit-policy-file=" + auditPolicy,
			"--audit-log-path=" + filepath.Join(logs, "audit.log"),
			"--audit-log-format=json",
			"--audit-log-maxbackup=0",
		},
		health: server + "/readyz",
	})
	if withKCM {
		cp.components = append(cp.components, &component{
			name: "kube-controller-manager",
			args: []string{"kube-controller-manager",
				"--kubeconfig=" + kubeconfig,
				"--authentication-kubeconfig=" + kubeconfig,
				"--authorization-kubeconfig=" + kubeconfig,
				"--bind-address=" + host,
				fmt.Sprintf("--secure-port=%d", ports[3]),
				"--cert-dir=" + filepath.Join(dir, "kcm-certs"),
				"--leader-elect=false",
				"--use-service-account-credentials=false",
				"--service-account-private-key-file=" + p.SAPrivateFile,
				"--root-ca-file=" + p.CAFile,
				"--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller,-persistentvolume-binder,-attachdetach,-persistentvolume-expander,-ephemeral-volume,-pvc-protection,-pv-protection",
			},
			health: fmt.Sprintf("https://%s:%d/healthz", host, ports[3]),
		})
	}
	for _, c := range cp.components {
		c.logPath = filepath.Join(logs, c.name+".log")
	}
	return cp, nil
}

func (cp *controlPlane) startAll(timeout time.Duration) error {
	for _, c := range cp.components {
		if err := cp.start(c, timeout); err != nil {
			return err
		}
	}
	return nil
}

func (cp *controlPlane) start(c *component, timeout time.Duration) error {
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(cp.self, c.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", c.name, err)
	}
	c.cmd, c.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { cmd.Wait(); logf.Close(); close(exited) }(c.exited)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-c.exited:
			return fmt.Errorf("%s exited during start-up; see %s", c.name, c.logPath)
		default:
		}
		if cp.healthy(c) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy at %s after %s; see %s", c.name, c.health, timeout, c.logPath)
}

func (cp *controlPlane) healthy(c *component) bool {
	client := cp.client
	if c.name == "kube-controller-manager" {
		// Its serving certificate is self-signed in --cert-dir; only liveness matters here.
		client = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	resp, err := client.Get(c.health)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (cp *controlPlane) stop(c *component) {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.cmd.Process.Signal(syscall.SIGCONT) // a paused process cannot act on SIGTERM
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
	c.cmd = nil
}

func (cp *controlPlane) stopAll() {
	if cp == nil {
		return
	}
	for i := len(cp.components) - 1; i >= 0; i-- {
		cp.stop(cp.components[i])
	}
}

func (cp *controlPlane) find(name string) *component {
	for _, c := range cp.components {
		if c.name == name {
			return c
		}
	}
	return nil
}

// serveCommands lets a test restart, stop, start, pause or resume a component.
func (cp *controlPlane) serveCommands(timeout time.Duration, done chan struct{}) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "quit" {
			break
		}
		if len(fields) != 2 {
			fmt.Printf("ERROR usage: restart|stop|start|pause|resume <component> | quit\n")
			continue
		}
		c := cp.find(fields[1])
		if c == nil {
			fmt.Printf("ERROR unknown component %q\n", fields[1])
			continue
		}
		var err error
		cp.mu.Lock()
		switch fields[0] {
		case "restart":
			cp.stop(c)
			err = cp.start(c, timeout)
		case "stop":
			cp.stop(c)
		case "start":
			if c.cmd == nil {
				err = cp.start(c, timeout)
			}
		case "pause", "resume":
			s := syscall.SIGSTOP
			if fields[0] == "resume" {
				s = syscall.SIGCONT
			}
			if c.cmd == nil {
				err = fmt.Errorf("%s is not running", c.name)
			} else {
				err = c.cmd.Process.Signal(s)
			}
		default:
			err = fmt.Errorf("unknown command %q", fields[0])
		}
		cp.mu.Unlock()
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
		} else {
			fmt.Printf("OK %s %s\n", fields[0], fields[1])
		}
	}
	close(done)
}

// watchParent ends the control plane when the process that started it dies.
func watchParent(done chan struct{}) {
	parent := os.Getppid()
	for {
		time.Sleep(500 * time.Millisecond)
		if os.Getppid() != parent {
			select {
			case <-done:
			default:
				close(done)
			}
			return
		}
	}
}

func freePorts(host string, n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func writeKubeconfig(path, server string, p *pki) error {
	b64 := func(file string) (string, error) {
		data, err := os.ReadFile(file)
		return base64.StdEncoding.EncodeToString(data), err
	}
	ca, err := b64(p.CAFile)
	if err != nil {
		return err
	}
	cert, err := b64(p.AdminCertFile)
	if err != nil {
		return err
	}
	key, err := b64(p.AdminKeyFile)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: modelmonitor-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: modelmonitor-test
  context:
    cluster: modelmonitor-test
    user: admin
    namespace: default
current-context: modelmonitor-test
`, server, ca, cert, key)
	return os.WriteFile(path, []byte(cfg), 0o600)
}
