package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
)

// ackLog records every create the server acknowledged, as "<account index>
// <runtime id>" lines (index 0: the default account, i: extra account i).
// After the server is killed with SIGKILL and restarted, -workload
// verify-acks checks that each of them is still there: an acknowledged
// write must survive the process dying.
type ackLog struct {
	mu sync.Mutex
	w  *bufio.Writer
	f  *os.File
}

func openAckLog(path string) (*ackLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &ackLog{w: bufio.NewWriter(f), f: f}, nil
}

func (a *ackLog) add(account int, id string) {
	a.mu.Lock()
	fmt.Fprintf(a.w, "%d %s\n", account, id)
	a.mu.Unlock()
}

func (a *ackLog) close() error {
	return errors.Join(a.w.Flush(), a.f.Close())
}

// verifyAcks gets every runtime of the ack file and reports how many are
// missing; any missing one is an error.
func (g *generator) verifyAcks(ctx context.Context, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	type ack struct {
		account int
		id      string
	}
	var acks []ack
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		a, id, ok := strings.Cut(line, " ")
		n, err := strconv.Atoi(a)
		if !ok || err != nil || n < 0 || n > len(g.extra) {
			return fmt.Errorf("%s: bad line %q (give the same -accounts as the create run)", path, line)
		}
		acks = append(acks, ack{n, id})
	}
	start := time.Now()
	var next, missing atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range g.cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(acks)) {
					return
				}
				c := g.client
				if acks[i].account > 0 {
					c = g.extra[acks[i].account-1]
				}
				_, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(acks[i].id)})
				if errorCode(err) == "ResourceNotFoundException" {
					missing.Add(1)
				} else if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	res := &Result{Server: g.cfg.server, Workload: "durability", Label: g.cfg.label, Concurrency: g.cfg.concurrency,
		Ops: int64(len(acks)), Seconds: time.Since(start).Seconds()}
	if m := missing.Load(); m > 0 {
		res.Errors = map[string]int64{"missing": m}
	}
	fmt.Fprintf(os.Stdout, "%-10s durability: %d acknowledged creates checked after restart, %d missing\n", res.Server, res.Ops, missing.Load())
	if g.cfg.jsonOut != "" {
		if err := appendJSON(g.cfg.jsonOut, res); err != nil {
			return err
		}
	}
	if missing.Load() > 0 {
		return fmt.Errorf("%d acknowledged creates are missing", missing.Load())
	}
	return nil
}
