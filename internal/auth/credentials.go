package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// credentialsFile is the document --credentials names (YAML, so JSON too):
//
//	credentials:
//	  - accessKeyId: AKIAEXAMPLEACCOUNTB
//	    secretAccessKey: secret-of-b
//	    accountId: "210987654321"
//	    sessionToken: optional; when set, requests must carry it
//	    policy:            # optional; without one the key may do everything
//	      Statement:
//	        - Effect: Allow
//	          Action: ["bedrock-agentcore:Get*", "bedrock-agentcore:List*"]
//	          Resource: "*"
type credentialsFile struct {
	Credentials []Credential `yaml:"credentials"`
}

// LoadCredentials reads and checks a credentials file.
func LoadCredentials(path string) ([]Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	creds, err := ParseCredentials(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return creds, nil
}

// ParseCredentials decodes a credentials document. Unknown fields are
// errors, so a misspelt key does not silently drop a policy.
func ParseCredentials(data []byte) ([]Credential, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f credentialsFile
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	seen := map[string]bool{}
	for i, c := range f.Credentials {
		switch {
		case c.AccessKeyID == "" || strings.ContainsAny(c.AccessKeyID, "/ \t,="):
			return nil, fmt.Errorf("credential %d: accessKeyId must be non-empty, without '/', ',', '=' or spaces", i)
		case c.SecretAccessKey == "":
			return nil, fmt.Errorf("credential %d (%s): secretAccessKey is required", i, c.AccessKeyID)
		case c.AccountID != "" && !isAccountID(c.AccountID):
			return nil, fmt.Errorf("credential %d (%s): accountId must be 12 digits, got %q", i, c.AccessKeyID, c.AccountID)
		case seen[c.AccessKeyID]:
			return nil, fmt.Errorf("credential %d: accessKeyId %s appears twice", i, c.AccessKeyID)
		}
		seen[c.AccessKeyID] = true
		if c.Policy != nil {
			if err := c.Policy.Validate(); err != nil {
				return nil, fmt.Errorf("credential %d (%s): %w", i, c.AccessKeyID, err)
			}
		}
	}
	return f.Credentials, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
