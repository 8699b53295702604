// Command ceiling is the reference point of the benchmarks: the least a
// server can do to answer the loadgen workloads through the AWS SDK. It
// keeps runtimes in a map with their answers pre-rendered as JSON, and does
// no validation, no authentication, no persistence and no idempotency. What
// agentcored costs beyond it is the price of being a real control plane.
//
//	ceiling -listen 127.0.0.1:4567 -seed 10000
//
// Operations: CreateAgentRuntime, GetAgentRuntime, UpdateAgentRuntime,
// ListAgentRuntimes (keyset-free: the token is an index), TagResource,
// ListTagsForResource, UntagResource. Anything else is a 404.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	account = "123456789012"
	region  = "us-east-1"
)

type runtime struct {
	id, name, arn string
	version       int
	created       string
	description   string
	get           []byte // the GetAgentRuntime answer
	summary       []byte // the runtime's entry in a listing
}

type server struct {
	mu       sync.RWMutex
	runtimes map[string]*runtime
	order    []string // ids in creation order, for listing
	tags     map[string]map[string]string
	next     int
}

func main() {
	listen := flag.String("listen", "127.0.0.1:4567", "loopback address to listen on")
	seed := flag.Int("seed", 0, "runtimes to create at start")
	flag.Parse()
	host, _, err := net.SplitHostPort(*listen)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "ceiling: -listen must be a loopback IP address and port")
		os.Exit(2)
	}
	s := &server{runtimes: map[string]*runtime{}, tags: map[string]map[string]string{}}
	for i := range *seed {
		s.create(fmt.Sprintf("seed_%07d", i), "seeded")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("ceiling serving on %s with %d runtimes", ln.Addr(), *seed)
	log.Fatal(http.Serve(ln, s))
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.EscapedPath(), "/")
	parts := strings.Split(path, "/")
	switch {
	case path == "runtimes" && r.Method == http.MethodPut:
		s.handleCreate(w, r)
	case path == "runtimes" && r.Method == http.MethodPost:
		s.handleList(w, r)
	case len(parts) == 2 && parts[0] == "runtimes" && r.Method == http.MethodGet:
		s.handleGet(w, parts[1])
	case len(parts) == 2 && parts[0] == "runtimes" && r.Method == http.MethodPut:
		s.handleUpdate(w, r, parts[1])
	case len(parts) == 2 && parts[0] == "tags":
		arn, err := url.PathUnescape(parts[1])
		if err != nil {
			writeError(w, http.StatusBadRequest, "ValidationException", "bad ARN")
			return
		}
		s.handleTags(w, r, arn)
	default:
		writeError(w, http.StatusNotFound, "UnknownOperationException", "not in the ceiling")
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, []byte(`{"message":`+strconv.Quote(msg)+`}`))
}

// create adds a runtime; the caller must not hold s.mu.
func (s *server) create(name, description string) *runtime {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := fmt.Sprintf("%s-%010d", name, s.next)
	rt := &runtime{id: id, name: name, arn: "arn:aws:bedrock-agentcore:" + region + ":" + account + ":runtime/" + id,
		created: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
	rt.render(1, description)
	s.runtimes[id] = rt
	s.order = append(s.order, id)
	return rt
}

// render pre-renders the answers of a runtime at a version.
func (rt *runtime) render(version int, description string) {
	rt.version, rt.description = version, description
	v := strconv.Itoa(version)
	rt.get = []byte(`{"agentRuntimeArn":"` + rt.arn + `","agentRuntimeName":"` + rt.name + `","agentRuntimeId":"` + rt.id +
		`","agentRuntimeVersion":"` + v + `","createdAt":"` + rt.created + `","lastUpdatedAt":"` + rt.created +
		`","roleArn":"arn:aws:iam::123456789012:role/AgentRole","networkConfiguration":{"networkMode":"PUBLIC"},"status":"READY",` +
		`"lifecycleConfiguration":{"idleRuntimeSessionTimeout":900,"maxLifetime":28800},"description":` + strconv.Quote(description) +
		`,"workloadIdentityDetails":{"workloadIdentityArn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/` + rt.id +
		`"},"agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}}}`)
	rt.summary = []byte(`{"agentRuntimeArn":"` + rt.arn + `","agentRuntimeId":"` + rt.id + `","agentRuntimeVersion":"` + v +
		`","agentRuntimeName":"` + rt.name + `","description":` + strconv.Quote(description) + `,"lastUpdatedAt":"` + rt.created + `","status":"READY"}`)
}

func (rt *runtime) changeAnswer() []byte {
	return []byte(`{"agentRuntimeArn":"` + rt.arn + `","agentRuntimeId":"` + rt.id + `","agentRuntimeVersion":"` + strconv.Itoa(rt.version) +
		`","createdAt":"` + rt.created + `","status":"CREATING","workloadIdentityDetails":{"workloadIdentityArn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/` + rt.id + `"}}`)
}

type changeRequest struct {
	AgentRuntimeName string `json:"agentRuntimeName"`
	Description      string `json:"description"`
}

func (s *server) handleCreate(w http.ResponseWriter, r *http.Request) {
	var in changeRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", "bad JSON")
		return
	}
	rt := s.create(in.AgentRuntimeName, in.Description)
	writeJSON(w, http.StatusAccepted, rt.changeAnswer())
}

func (s *server) handleGet(w http.ResponseWriter, id string) {
	s.mu.RLock()
	rt := s.runtimes[id]
	var body []byte
	if rt != nil {
		body = rt.get
	}
	s.mu.RUnlock()
	if rt == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no such runtime")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) handleUpdate(w http.ResponseWriter, r *http.Request, id string) {
	var in changeRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", "bad JSON")
		return
	}
	s.mu.Lock()
	rt := s.runtimes[id]
	var body []byte
	if rt != nil {
		rt.render(rt.version+1, in.Description)
		body = rt.changeAnswer()
	}
	s.mu.Unlock()
	if rt == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no such runtime")
		return
	}
	writeJSON(w, http.StatusAccepted, body)
}

// handleList pages through the runtimes in creation order; the token is the
// index of the next one.
func (s *server) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if v, err := strconv.Atoi(q.Get("maxResults")); err == nil && v > 0 {
		limit = v
	}
	start, _ := strconv.Atoi(q.Get("nextToken"))
	buf := make([]byte, 0, 300*limit)
	buf = append(buf, `{"agentRuntimes":[`...)
	s.mu.RLock()
	end := min(len(s.order), start+limit)
	for i := start; i < end; i++ {
		if i > start {
			buf = append(buf, ',')
		}
		buf = append(buf, s.runtimes[s.order[i]].summary...)
	}
	more := end < len(s.order)
	s.mu.RUnlock()
	buf = append(buf, ']')
	if more {
		buf = append(buf, `,"nextToken":"`+strconv.Itoa(end)+`"`...)
	}
	buf = append(buf, '}')
	writeJSON(w, http.StatusOK, buf)
}

func (s *server) handleTags(w http.ResponseWriter, r *http.Request, arn string) {
	switch r.Method {
	case http.MethodPost:
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "ValidationException", "bad JSON")
			return
		}
		s.mu.Lock()
		t := s.tags[arn]
		if t == nil {
			t = map[string]string{}
			s.tags[arn] = t
		}
		for k, v := range in.Tags {
			t[k] = v
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		s.mu.RLock()
		body, _ := json.Marshal(map[string]any{"tags": s.tags[arn]})
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, body)
	case http.MethodDelete:
		keys := r.URL.Query()["tagKeys"]
		s.mu.Lock()
		for _, k := range keys {
			delete(s.tags[arn], k)
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotFound, "UnknownOperationException", "not in the ceiling")
	}
}
