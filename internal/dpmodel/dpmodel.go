// Package dpmodel holds the facts of the data plane's API model,
// bedrock-agentcore: operations, shapes with their constraints, and modeled
// errors, generated from models/bedrock-agentcore (zz_generated.go,
// cmd/modelgen). The types are the control plane's (internal/model); only
// the tables differ. Service is the plane as the protocol layer serves it.
package dpmodel

import "agentcored/internal/model"

// The types the generated tables are made of.
type (
	Shape     = model.Shape
	Member    = model.Member
	Operation = model.Operation
)

const (
	String    = model.String
	Integer   = model.Integer
	Float     = model.Float
	Boolean   = model.Boolean
	Timestamp = model.Timestamp
	Structure = model.Structure
	List      = model.List
	Map       = model.Map
	Document  = model.Document
	Blob      = model.Blob

	InBody       = model.InBody
	InURI        = model.InURI
	InQuery      = model.InQuery
	InHeader     = model.InHeader
	InStatusCode = model.InStatusCode
)

// Service is the data plane, bedrock-agentcore.
var Service = model.NewService("bedrock-agentcore", Operations[:], Shapes[:], ErrorStatuses)
