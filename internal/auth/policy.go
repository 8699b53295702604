package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// ActionPrefix is the IAM service prefix of every operation.
const ActionPrefix = "bedrock-agentcore:"

// Policy is an IAM-style identity policy attached to an access key. Only
// Effect, Action and Resource are evaluated (no NotAction, no Condition).
type Policy struct {
	Version   string      `json:"Version,omitempty" yaml:"Version,omitempty"`
	Statement []Statement `json:"Statement" yaml:"Statement"`
}

// Statement allows or denies actions on resources.
type Statement struct {
	Sid      string  `json:"Sid,omitempty" yaml:"Sid,omitempty"`
	Effect   string  `json:"Effect" yaml:"Effect"`
	Action   Strings `json:"Action" yaml:"Action"`
	Resource Strings `json:"Resource" yaml:"Resource"`
}

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Strings is a list that may also be written as a single string, as IAM
// allows for Action, Resource and principals.
type Strings []string

func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("expected a string or a list of strings")
	}
	*s = many
	return nil
}

func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Strings{n.Value}
		return nil
	}
	var many []string
	if err := n.Decode(&many); err != nil {
		return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
	}
	*s = many
	return nil
}

// Validate reports the first malformed statement.
func (p *Policy) Validate() error {
	if len(p.Statement) == 0 {
		return errors.New("policy has no Statement")
	}
	for i, st := range p.Statement {
		if st.Effect != Allow && st.Effect != Deny {
			return fmt.Errorf("statement %d: Effect must be Allow or Deny, not %q", i, st.Effect)
		}
		if len(st.Action) == 0 {
			return fmt.Errorf("statement %d: Action is required", i)
		}
		if len(st.Resource) == 0 {
			return fmt.Errorf("statement %d: Resource is required (use \"*\" for every resource)", i)
		}
	}
	return nil
}

// Allows evaluates the policy the way IAM does within one account: an
// explicit Deny wins, otherwise some Allow must match, otherwise the
// request is implicitly denied.
func (p *Policy) Allows(action, resource string) bool {
	allowed := false
	for _, st := range p.Statement {
		if !matchAny(st.Action, action, true) || !matchAny(st.Resource, resource, false) {
			continue
		}
		if st.Effect == Deny {
			return false
		}
		if st.Effect == Allow {
			allowed = true
		}
	}
	return allowed
}

// matchAny reports whether any pattern matches s. Action names compare
// case-insensitively, as in IAM; ARNs are case-sensitive.
func matchAny(patterns []string, s string, foldCase bool) bool {
	if foldCase {
		s = strings.ToLower(s)
	}
	for _, p := range patterns {
		if foldCase {
			p = strings.ToLower(p)
		}
		if Match(p, s) {
			return true
		}
	}
	return false
}

// Match reports whether s matches pattern, where '*' matches any run of
// bytes (also none) and '?' exactly one byte. Linear backtracking on the
// last '*' only, so no pattern is exponential.
func Match(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// resourcePolicy is a resource-based policy document: like an identity
// policy, plus the principals each statement applies to.
type resourcePolicy struct {
	Statement []resourceStatement
}

type resourceStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    Strings
	Resource  Strings
}

func (p *resourcePolicy) UnmarshalJSON(b []byte) error {
	var doc struct{ Statement json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	var one resourceStatement
	if len(doc.Statement) > 0 && doc.Statement[0] == '{' {
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return err
		}
		p.Statement = []resourceStatement{one}
		return nil
	}
	if len(doc.Statement) == 0 {
		return nil
	}
	return json.Unmarshal(doc.Statement, &p.Statement)
}

// principalMatches reports whether a Principal element names the caller:
// "*", {"AWS": "*"}, the account id, the account root ARN or the caller's
// own user ARN.
func principalMatches(raw json.RawMessage, account, accessKey string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var p struct{ AWS Strings }
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	for _, v := range p.AWS {
		if v == "*" || v == account || v == "arn:aws:iam::"+account+":root" || v == UserARN(account, accessKey) {
			return true
		}
	}
	return false
}

// ResourcePolicyAllows evaluates a stored resource policy document for a
// caller from another account: some Allow statement must name the caller
// and match action and resource, and no matching Deny may. A Statement
// without Resource applies to the resource the policy is attached to.
func ResourcePolicyAllows(doc []byte, account, accessKey, action, resource string) bool {
	var p resourcePolicy
	if json.Unmarshal(doc, &p) != nil {
		return false
	}
	allowed := false
	for _, st := range p.Statement {
		if !principalMatches(st.Principal, account, accessKey) || !matchAny(st.Action, action, true) {
			continue
		}
		if len(st.Resource) > 0 && !matchAny(st.Resource, resource, false) {
			continue
		}
		switch st.Effect {
		case Deny:
			return false
		case Allow:
			allowed = true
		}
	}
	return allowed
}

// UserARN is the IAM identity the server reports for an access key.
func UserARN(account, accessKey string) string {
	return "arn:aws:iam::" + account + ":user/" + accessKey
}
