// Package model holds the facts of the bedrock-agentcore-control API model:
// operations, shapes with their constraints, and modeled errors. The data is
// generated from the botocore service model (see zz_generated.go and
// cmd/modelgen); this file declares the types it is made of.
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
	}
	return "unknown"
}

// Where a member of an input travels on the wire.
type Location uint8

const (
	InBody Location = iota
	InURI
	InQuery
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
	Members      []Member
	Member       int // list element
	Key, Value   int // map
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

// OperationByName finds an operation; nil when there is none.
func OperationByName(name string) *Operation {
	if i, ok := operationIndex[name]; ok {
		return &Operations[i]
	}
	return nil
}

// ErrorStatus returns the modeled HTTP status of an error code, or 0.
func ErrorStatus(code string) int {
	return ErrorStatuses[code]
}

var operationIndex = func() map[string]int {
	m := make(map[string]int, len(Operations))
	for i := range Operations {
		m[Operations[i].Name] = i
	}
	return m
}()
