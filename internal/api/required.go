package api

import "encoding/json"

// Required members the generated types would leave out.
//
// Every generated field is omitzero, so a member the model makes required
// in an output is still left out when its value is the zero one. Where the
// service has nothing to send for such a member and the model still
// requires it, the type's own MarshalJSON below sends the zero value
// explicitly.

// MarshalJSON sends description even when it is empty: AgentRuntime (the
// ListAgentRuntimes and ListAgentRuntimeVersions items) makes it required,
// and a runtime created without one has "" for it.
func (r AgentRuntime) MarshalJSON() ([]byte, error) {
	type plain AgentRuntime // without this method
	return json.Marshal(struct {
		plain
		Description string `json:"description"`
	}{plain(r), r.Description})
}
