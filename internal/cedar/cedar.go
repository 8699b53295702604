// Package cedar reads just enough of the Cedar policy language for the
// Policy families of the control plane: whether a statement is exactly one
// well-formed policy, what its scope constrains (for the analysis findings
// and for listing the policies that apply to a resource), and a
// deterministic translation of natural language into policies (policy
// generations). It is not a Cedar evaluator.
package cedar

import (
	"fmt"
	"strings"
)

// tokenKind classifies a token.
type tokenKind int

const (
	identToken tokenKind = iota
	stringToken
	numberToken
	punctToken
)

type token struct {
	kind tokenKind
	text string
	pos  int
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// lex splits a statement into tokens, dropping whitespace and //
// comments.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"':
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string literal at offset %d", i)
			}
			toks = append(toks, token{stringToken, src[i : j+1], i})
			i = j + 1
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			toks = append(toks, token{identToken, src[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{numberToken, src[i:j], i})
			i = j
		default:
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "::", "==", "!=", "<=", ">=", "&&", "||":
					toks = append(toks, token{punctToken, two, i})
					i += 2
					continue
				}
			}
			toks = append(toks, token{punctToken, string(c), i})
			i++
		}
	}
	return toks, nil
}

// Policy is what the checks need of a parsed policy.
type Policy struct {
	effect string // permit or forbid
	// The tokens of each scope element after its keyword, operator first
	// (empty: no constraint).
	principal, action, resource []token
	conditions                  int
}

type parser struct {
	toks []token
	i    int
	end  int // offset of the end of the statement, for messages
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	pos := p.end
	if t := p.peek(); t != nil {
		pos = t.pos
	}
	return fmt.Errorf("%s at offset %d", fmt.Sprintf(format, args...), pos)
}

// accept consumes the next token if it is text.
func (p *parser) accept(text string) bool {
	if t := p.peek(); t != nil && t.text == text && t.kind != stringToken {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(text string) error {
	if !p.accept(text) {
		return p.errorf("expected '%s'", text)
	}
	return nil
}

// until collects the tokens up to (not including) the first of stops at
// bracket depth zero, checking that brackets balance.
func (p *parser) until(stops ...string) ([]token, error) {
	var stack []string
	start := p.i
	for ; p.i < len(p.toks); p.i++ {
		t := p.toks[p.i]
		if t.kind != punctToken {
			continue
		}
		if len(stack) == 0 {
			for _, s := range stops {
				if t.text == s {
					return p.toks[start:p.i], nil
				}
			}
		}
		switch t.text {
		case "(":
			stack = append(stack, ")")
		case "[":
			stack = append(stack, "]")
		case "{":
			stack = append(stack, "}")
		case ")", "]", "}":
			if len(stack) == 0 || stack[len(stack)-1] != t.text {
				return nil, fmt.Errorf("unbalanced '%s' at offset %d", t.text, t.pos)
			}
			stack = stack[:len(stack)-1]
		}
	}
	return nil, p.errorf("expected '%s'", strings.Join(stops, "' or '"))
}

// scopeElement reads "keyword [constraint]" up to the separator after it.
func (p *parser) scopeElement(keyword string, ops ...string) ([]token, error) {
	if err := p.expect(keyword); err != nil {
		return nil, err
	}
	toks, err := p.until(",", ")")
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	for _, op := range ops {
		if toks[0].text == op && toks[0].kind != stringToken {
			if len(toks) == 1 {
				return nil, fmt.Errorf("expected an entity after '%s %s' at offset %d", keyword, op, toks[0].pos)
			}
			return toks, nil
		}
	}
	return nil, fmt.Errorf("unexpected '%s' after '%s' at offset %d (expected %s)", toks[0].text, keyword, toks[0].pos, strings.Join(ops, ", "))
}

// Parse checks that statement is exactly one Cedar policy and returns
// its shape.
func Parse(statement string) (*Policy, error) {
	toks, err := lex(statement)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, end: len(statement)}
	for p.accept("@") {
		if t := p.peek(); t == nil || t.kind != identToken {
			return nil, p.errorf("expected an annotation name after '@'")
		}
		p.i++
		if p.accept("(") {
			if t := p.peek(); t == nil || t.kind != stringToken {
				return nil, p.errorf("expected a string in the annotation")
			}
			p.i++
			if err := p.expect(")"); err != nil {
				return nil, err
			}
		}
	}
	pol := &Policy{}
	switch {
	case p.accept("permit"):
		pol.effect = "permit"
	case p.accept("forbid"):
		pol.effect = "forbid"
	default:
		return nil, p.errorf("expected 'permit' or 'forbid'")
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	if pol.principal, err = p.scopeElement("principal", "==", "in", "is"); err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	if pol.action, err = p.scopeElement("action", "==", "in"); err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	if pol.resource, err = p.scopeElement("resource", "==", "in", "is"); err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t == nil || t.kind != identToken || t.text != "when" && t.text != "unless" {
			break
		}
		p.i++
		if err := p.expect("{"); err != nil {
			return nil, err
		}
		body, err := p.until("}")
		if err != nil {
			return nil, err
		}
		if len(body) == 0 {
			return nil, p.errorf("empty %s condition", t.text)
		}
		p.i++ // the closing brace
		pol.conditions++
	}
	if err := p.expect(";"); err != nil {
		return nil, err
	}
	if t := p.peek(); t != nil {
		return nil, fmt.Errorf("a statement holds exactly one policy; unexpected '%s' at offset %d", t.text, t.pos)
	}
	return pol, nil
}

func hasToken(toks []token, text string) bool {
	for _, t := range toks {
		if t.text == text && t.kind != stringToken {
			return true
		}
	}
	return false
}

// Finding is the analysis finding of a policy: its type (the model's
// FindingType strings) and a description.
type Finding struct{ Type, Description string }

// Finding is ALLOW_ALL or DENY_ALL for a policy that constrains neither
// principal nor action and has no condition, VALID otherwise.
func (pol *Policy) Finding() Finding {
	if len(pol.principal) == 0 && len(pol.action) == 0 && pol.conditions == 0 {
		if pol.effect == "permit" {
			return Finding{"ALLOW_ALL", "Overly permissive: the policy permits every principal to perform every action on the resource, with no condition."}
		}
		return Finding{"DENY_ALL", "Overly restrictive: the policy forbids every principal to perform every action on the resource, with no condition."}
	}
	return Finding{"VALID", "The policy is valid Cedar and is neither overly permissive nor overly restrictive."}
}

// AppliesTo reports whether the policy's resource constraint admits the
// resource with this ARN: no constraint, a type constraint (resource is T),
// or a constraint that names the ARN as an entity id.
func (pol *Policy) AppliesTo(arn string) bool {
	res := pol.resource
	if len(res) == 0 || res[0].text == "is" && !hasToken(res, "in") {
		return true
	}
	quoted := fmt.Sprintf("%q", arn)
	for _, t := range res {
		if t.kind == stringToken && t.text == quoted {
			return true
		}
	}
	return false
}
