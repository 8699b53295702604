package dataplane

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

func TestCloseStatus(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		wantCode   websocket.StatusCode
		wantReason string
	}{
		{"normal close passes on", websocket.CloseError{Code: websocket.StatusNormalClosure, Reason: "bye"}, websocket.StatusNormalClosure, "bye"},
		{"application code passes on", websocket.CloseError{Code: 4001, Reason: "custom"}, 4001, "custom"},
		{"no status is never sent", websocket.CloseError{Code: websocket.StatusNoStatusRcvd}, websocket.StatusNormalClosure, ""},
		{"abnormal is never sent", websocket.CloseError{Code: websocket.StatusAbnormalClosure}, websocket.StatusNormalClosure, ""},
		{"a broken connection is going away", errors.New("EOF"), websocket.StatusGoingAway, "peer went away: EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, reason := closeStatus(tc.err)
			if code != tc.wantCode || reason != tc.wantReason {
				t.Errorf("closeStatus(%v) = %d %q, want %d %q", tc.err, code, reason, tc.wantCode, tc.wantReason)
			}
		})
	}
}

func TestTruncateReason(t *testing.T) {
	for _, s := range []string{"short", strings.Repeat("a", 200), strings.Repeat("é", 100)} {
		got := truncateReason(s)
		if len(got) > 123 || !utf8.ValidString(got) || !strings.HasPrefix(s, got) {
			t.Errorf("truncateReason(%d bytes) = %d bytes, valid %v", len(s), len(got), utf8.ValidString(got))
		}
	}
}

// TestProxyWebSocket: messages cross both ways with their type, a close
// passes on with its status, and ending the context closes both sides
// with 1001.
func TestProxyWebSocket(t *testing.T) {
	// pair returns the two ends of a WebSocket: the dialler and the acceptor.
	pair := func(t *testing.T) (*websocket.Conn, *websocket.Conn) {
		srvSide := make(chan *websocket.Conn, 1)
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			srvSide <- c
			<-r.Context().Done()
		}))
		t.Cleanup(hs.Close)
		c, _, err := websocket.Dial(context.Background(), hs.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c, <-srvSide
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("messages and close", func(t *testing.T) {
		user, clientSide := pair(t) // the client and agentcored's accepted end
		agentSide, agent := pair(t) // agentcored's dialled end and the agent
		done := make(chan struct{})
		go func() { proxyWebSocket(context.Background(), clientSide, agentSide); close(done) }()
		user.Write(ctx, websocket.MessageText, []byte("to agent"))
		if typ, b, err := agent.Read(ctx); err != nil || typ != websocket.MessageText || string(b) != "to agent" {
			t.Fatalf("agent read %v %q %v", typ, b, err)
		}
		agent.Write(ctx, websocket.MessageBinary, []byte{1, 2})
		if typ, b, err := user.Read(ctx); err != nil || typ != websocket.MessageBinary || string(b) != "\x01\x02" {
			t.Fatalf("user read %v %q %v", typ, b, err)
		}
		go agent.Close(4002, "agent done")
		_, _, err := user.Read(ctx)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4002 || ce.Reason != "agent done" {
			t.Fatalf("user sees %v, want the agent's close 4002", err)
		}
		<-done
	})

	t.Run("context ends", func(t *testing.T) {
		user, clientSide := pair(t)
		agentSide, agent := pair(t)
		pctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { proxyWebSocket(pctx, clientSide, agentSide); close(done) }()
		agentErr := make(chan error, 1)
		go func() { _, _, err := agent.Read(ctx); agentErr <- err }()
		stop()
		if _, _, err := user.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("user sees %v, want 1001", err)
		}
		if err := <-agentErr; websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("agent sees %v, want 1001", err)
		}
		<-done
	})
}
