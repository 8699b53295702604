// Package model holds the facts of the bedrock-agentcore-control API model:
// operations, shapes with their constraints, and modeled errors. The data is
// generated from the botocore service model (see zz_generated.go and
// cmd/modelgen); this file declares the types it is made of, which the data
// plane's generated facts (internal/dpmodel) use too. Service bundles one
// plane's tables into a value (Control here, dpmodel.Service there).
package model

import "regexp"

// Type is a shape's wire type.
type Type uint8

const (
	String Type = iota + 1
	Integer
	Float // float and double
	Boolean
	Timestamp
	Structure
	List
	Map
	Document
	Blob // bytes: base64 in a JSON body, raw as a payload
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Float:
		return "float"
	case Boolean:
		return "boolean"
	case Timestamp:
		return "timestamp"
	case Structure:
		return "structure"
	case List:
		return "list"
	case Map:
		return "map"
	case Document:
		return "document"
	case Blob:
		return "blob"
	}
	return "unknown"
}

// Where a member of an input travels on the wire.
type Location uint8

const (
	InBody Location = iota
	InURI
	InQuery
	InHeader     // LocationName is the header name
	InStatusCode // output only: the HTTP status
)

// Shape is one shape of the model, with the constraints the validator checks.
// Index fields (Member, Key, Value, Members[i].Shape) point into Shapes.
type Shape struct {
	Name string
	Type Type
	// Length (strings), size (lists, maps) or value (numbers) bounds.
	HasMin, HasMax bool
	Min, Max       float64
	Pattern        *regexp.Regexp
	PatternText    string // the pattern as the model states it, for messages
	Enum           []string
	Sensitive      bool
	Union          bool
	// TimestampISO: true for iso8601 timestamps, false for epoch seconds.
	TimestampISO bool
	// Payload names the member that is the whole HTTP body (a blob or a
	// structure); empty when the body is the JSON of the body members.
	Payload string
	// Streaming (blob) and EventStream (structure) shapes are streams.
	Streaming, EventStream bool
	Members                []Member
	Member                 int // list element
	Key, Value             int // map
	// Error shapes only.
	IsError    bool
	HTTPStatus int
	Fault      bool
}

// Member is one member of a structure.
type Member struct {
	Name             string
	Shape            int
	Required         bool
	Location         Location
	LocationName     string // the URI label or query key
	IdempotencyToken bool
}

// Operation is one API operation.
type Operation struct {
	Name        string
	Method      string
	URI         string // the model's request URI template
	Status      int    // success status code
	Input       int    // shape index
	Output      int    // shape index
	Errors      []string
	TokenMember string // member holding the idempotency token, if any
}

// HasError reports whether code is one of the operation's modeled errors.
func (o *Operation) HasError(code string) bool {
	for _, e := range o.Errors {
		if e == code {
			return true
		}
	}
	return false
}

// Service is one plane's generated facts as a value: what the protocol
// layer needs to serve it. Operation and shape indices are the plane's own.
type Service struct {
	Name          string // the botocore service name
	Operations    []Operation
	Shapes        []Shape
	ErrorStatuses map[string]int
	index         map[string]int
}

// NewService bundles generated tables.
func NewService(name string, ops []Operation, shapes []Shape, errorStatuses map[string]int) *Service {
	s := &Service{Name: name, Operations: ops, Shapes: shapes, ErrorStatuses: errorStatuses,
		index: make(map[string]int, len(ops))}
	for i := range ops {
		s.index[ops[i].Name] = i
	}
	return s
}

// OperationByName finds an operation of the service; nil when there is none.
func (s *Service) OperationByName(name string) *Operation {
	if i, ok := s.index[name]; ok {
		return &s.Operations[i]
	}
	return nil
}

// ErrorStatus returns the modeled HTTP status of an error code, or 0.
func (s *Service) ErrorStatus(code string) int {
	return s.ErrorStatuses[code]
}

// Control is the control plane, bedrock-agentcore-control.
var Control = NewService("bedrock-agentcore-control", Operations[:], Shapes[:], ErrorStatuses)

// OperationByName finds a control-plane operation; nil when there is none.
func OperationByName(name string) *Operation { return Control.OperationByName(name) }

// ErrorStatus returns the modeled HTTP status of a control-plane error code, or 0.
func ErrorStatus(code string) int { return ErrorStatuses[code] }
