package service

import (
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/store"
)

// A completed harness deletion removes the rows of its versions and
// endpoints, not only hides them behind the harness's not-found error.
func TestHarnessDeletionRemovesVersionsAndEndpoints(t *testing.T) {
	s, st := widgetService(t)
	h, err := s.CreateHarness(call("CreateHarness", ""), &api.CreateHarnessRequest{HarnessName: "h", ExecutionRoleArn: "arn:aws:iam::123456789012:role/R"})
	if err != nil {
		t.Fatal(err)
	}
	id := h.Harness.HarnessId
	advance := func() { t.Helper(); advanceRow(t, s, kindHarness, id) }
	advance()
	if _, err := s.CreateHarnessEndpoint(call("CreateHarnessEndpoint", ""), &api.CreateHarnessEndpointRequest{HarnessId: id, EndpointName: "prod"}); err != nil {
		t.Fatal(err)
	}
	rows := func(kind string) int {
		t.Helper()
		var n int
		err := st.Read(call("", ""), func(tx store.Tx) error {
			var err error
			n, err = tx.Count(call("", ""), "123456789012", "us-east-1", kind, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if v, e := rows(kindHarnessVersion), rows(kindHarnessEndpoint); v != 1 || e != 2 {
		t.Fatalf("before deletion: %d versions, %d endpoints; want 1, 2", v, e)
	}
	if _, err := s.DeleteHarness(call("DeleteHarness", ""), &api.DeleteHarnessRequest{HarnessId: id}); err != nil {
		t.Fatal(err)
	}
	if v, e := rows(kindHarnessVersion), rows(kindHarnessEndpoint); v != 1 || e != 2 {
		t.Fatalf("while deleting: %d versions, %d endpoints; want them kept", v, e)
	}
	advance()
	if v, e := rows(kindHarnessVersion), rows(kindHarnessEndpoint); v != 0 || e != 0 {
		t.Errorf("after deletion: %d versions, %d endpoints; want none", v, e)
	}
}
