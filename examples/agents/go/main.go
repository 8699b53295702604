// Command agent is an agent that follows the AgentCore Runtime HTTP
// protocol contract, with the standard library only: it listens on $PORT
// (default 8080), answers GET /ping and POST /invocations.
//
//	go build -o agent ./examples/agents/go && PORT=8080 ./agent
//
// Bind it to a runtime in agentcored's config file, and agentcored starts
// one per session:
//
//	agents:
//	  - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest
//	    command: ["./agent"]
//
// The payload is JSON: {"prompt": "hi"} answers JSON
// {"echo", "pid", "calls", "session", "env"}; {"stream": true} answers
// text/event-stream, each event flushed as it is produced. Hooks that show
// the runtime's behaviour: "env": ["NAME"] echoes environment variables,
// "crash": true exits the process mid-call, "busySeconds": n makes /ping
// answer HealthyBusy for n seconds, and with "stream" a "waitFor" file path
// holds the second event back until that file exists (at most 10 s).
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

type request struct {
	Prompt      string   `json:"prompt"`
	Stream      bool     `json:"stream"`
	Env         []string `json:"env"`
	Crash       bool     `json:"crash"`
	BusySeconds float64  `json:"busySeconds"`
	WaitFor     string   `json:"waitFor"`
}

type agent struct {
	mu        sync.Mutex
	calls     int
	busyUntil time.Time
	updated   time.Time
}

func (a *agent) ping(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	status := "Healthy"
	if time.Now().Before(a.busyUntil) {
		status = "HealthyBusy"
	}
	updated := a.updated.Unix()
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status": status, "time_of_last_update": updated})
}

func (a *agent) invoke(w http.ResponseWriter, r *http.Request) {
	var in request
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "the payload is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if in.Crash {
		fmt.Fprintln(os.Stderr, "agent: crashing on request")
		os.Exit(3)
	}
	a.mu.Lock()
	a.calls++
	calls := a.calls
	a.updated = time.Now()
	if in.BusySeconds > 0 {
		a.busyUntil = time.Now().Add(time.Duration(in.BusySeconds * float64(time.Second)))
	}
	a.mu.Unlock()
	env := map[string]string{}
	for _, name := range in.Env {
		env[name] = os.Getenv(name)
	}
	answer := map[string]any{"echo": in.Prompt, "pid": os.Getpid(), "calls": calls, "env": env,
		"session": r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id")}
	if !in.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(answer)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	send(map[string]any{"part": 1, "pid": os.Getpid()})
	waited := false
	if in.WaitFor != "" {
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(in.WaitFor); err == nil {
				break
			}
			if time.Now().After(deadline) {
				waited = true
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	send(map[string]any{"part": 2, "timedOut": waited})
	answer["part"] = 3
	send(answer)
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	a := &agent{updated: time.Now()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", a.ping)
	mux.HandleFunc("POST /invocations", a.invoke)
	addr := "127.0.0.1:" + port
	if os.Getenv("AGENT_LISTEN_ALL") != "" { // in a container
		addr = "0.0.0.0:" + port
	}
	log.Printf("agent listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
