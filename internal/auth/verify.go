package auth

import (
	"net/http"

	"agentcored/internal/awserr"
)

// Verify checks a SigV4 signature. Strict mode is not wired yet.
func Verify(r *http.Request, body []byte, sig *Signature, cred *Credential) error {
	return awserr.Errorf(awserr.CodeInvalidSignature, "Signature verification is not available yet.")
}
