package dataplane

import (
	"net/url"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/service"
)

func TestInvocationPath(t *testing.T) {
	for _, c := range []struct {
		cfg  *api.ProtocolConfiguration
		want string
	}{
		{nil, "/invocations"},
		{&api.ProtocolConfiguration{}, "/invocations"},
		{&api.ProtocolConfiguration{ServerProtocol: api.ServerProtocolHttp}, "/invocations"},
		{&api.ProtocolConfiguration{ServerProtocol: api.ServerProtocolAgui}, "/invocations"},
		{&api.ProtocolConfiguration{ServerProtocol: api.ServerProtocolMcp}, "/mcp"},
		{&api.ProtocolConfiguration{ServerProtocol: api.ServerProtocolA2a}, "/"},
	} {
		tg := &service.RuntimeTarget{Config: api.GetAgentRuntimeResponse{ProtocolConfiguration: c.cfg}}
		if got := invocationPath(tg); got != c.want {
			t.Errorf("%+v: %q, want %q", c.cfg, got, c.want)
		}
		// Under a base URL with and without a path of its own.
		for base, want := range map[string]string{"http://h:1": "http://h:1" + c.want, "http://h:1/agent": "http://h:1/agent" + c.want} {
			u, _ := url.Parse(base)
			if c.want == "/" && base == "http://h:1/agent" {
				want = "http://h:1/agent/"
			}
			if got := u.JoinPath(invocationPath(tg)).String(); got != want {
				t.Errorf("%s + %q = %s, want %s", base, c.want, got, want)
			}
		}
	}
}
