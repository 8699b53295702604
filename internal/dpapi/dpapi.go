// Package dpapi holds the typed inputs and outputs of every data-plane
// operation (bedrock-agentcore, generated into zz_types.go), its Handlers
// interface, UnimplementedHandlers and dispatch table (zz_operations.go).
// The timestamp and document types are the control plane's (internal/api).
package dpapi

import "agentcored/internal/api"

type (
	DateTime  = api.DateTime
	EpochTime = api.EpochTime
	Document  = api.Document
)
