// Package awserr is the error value every layer returns: an AWS error code,
// a message and, for validation, a reason and the invalid fields. One table
// (Status) maps codes to HTTP status.
package awserr

import (
	"fmt"

	"agentcored/internal/model"
)

// Error codes used by the server besides the modeled ones.
const (
	CodeValidation          = "ValidationException"
	CodeNotFound            = "ResourceNotFoundException"
	CodeConflict            = "ConflictException"
	CodeQuota               = "ServiceQuotaExceededException"
	CodeAccessDenied        = "AccessDeniedException"
	CodeThrottling          = "ThrottlingException"
	CodeInternal            = "InternalServerException"
	CodeNotImplemented      = "NotImplementedException"
	CodeUnknownOperation    = "UnknownOperationException"
	CodeTooLarge            = "RequestEntityTooLargeException"
	CodeServiceUnavailable  = "ServiceUnavailableException"
	CodeMissingAuth         = "MissingAuthenticationTokenException"
	CodeUnrecognizedClient  = "UnrecognizedClientException"
	CodeInvalidSignature    = "InvalidSignatureException"
	CodeIncompleteSignature = "IncompleteSignatureException"
)

// Validation reasons (model enum ValidationExceptionReason).
const (
	ReasonCannotParse          = "CannotParse"
	ReasonFieldValidation      = "FieldValidationFailed"
	ReasonIdempotentMismatch   = "IdempotentParameterMismatchException"
	ReasonResourceConflictText = "ResourceConflict"
)

// extraStatuses covers codes the model does not declare as shapes.
var extraStatuses = map[string]int{
	CodeNotImplemented:      501,
	CodeUnknownOperation:    404,
	CodeTooLarge:            413,
	CodeServiceUnavailable:  503,
	CodeMissingAuth:         403,
	CodeUnrecognizedClient:  403,
	CodeInvalidSignature:    403,
	CodeIncompleteSignature: 403,
}

// Status is the one table from error code to HTTP status.
func Status(code string) int {
	if s := model.ErrorStatus(code); s != 0 {
		return s
	}
	if s, ok := extraStatuses[code]; ok {
		return s
	}
	return 500
}

// FieldError names one invalid member (ValidationExceptionField).
type FieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Error is an AWS-shaped error: a code, a message and, for validation, a
// reason and the invalid fields.
type Error struct {
	Code    string
	Message string
	Reason  string
	Fields  []FieldError
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Status is the HTTP status of the error's code.
func (e *Error) Status() int { return Status(e.Code) }

func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func NotImplemented(operation string) *Error {
	return Errorf(CodeNotImplemented, "The operation %s is not implemented by this server yet.", operation)
}

func NotFound(format string, args ...any) *Error {
	return Errorf(CodeNotFound, format, args...)
}

func Conflict(format string, args ...any) *Error {
	return Errorf(CodeConflict, format, args...)
}

func Validation(format string, args ...any) *Error {
	e := Errorf(CodeValidation, format, args...)
	e.Reason = ReasonFieldValidation
	return e
}

func QuotaExceeded(format string, args ...any) *Error {
	return Errorf(CodeQuota, format, args...)
}
