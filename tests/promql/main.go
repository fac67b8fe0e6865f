// promql-check parses each line of its stdin as a PromQL expression with
// Prometheus' own parser and prints the ones that do not parse, with the error.
// Exit status 1 when any does not. The chart's tests feed it every query of the
// Grafana dashboard (Grafana's variables replaced) and every PrometheusRule expr.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	p := parser.NewParser(parser.Options{})
	bad, total := 0, 0
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		if in.Text() == "" {
			continue
		}
		total++
		if _, err := p.ParseExpr(in.Text()); err != nil {
			fmt.Printf("%s\n  %v\n", in.Text(), err)
			bad++
		}
	}
	fmt.Printf("%d of %d expressions parse\n", total-bad, total)
	if bad > 0 || total == 0 {
		os.Exit(1)
	}
}
