package cedar

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
)

// maxGeneratedAssets bounds the assets of one generation.
const maxGeneratedAssets = 100

const assetAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// Asset is one translated statement: Statement is the Cedar policy, "" when
// the text could not be translated.
type Asset struct {
	ID, Text, Statement string
	Finding             Finding
}

var (
	statementBreak = regexp.MustCompile(`[.!?;]+(?:\s+|$)|[\r\n]+`)
	denyWords      = regexp.MustCompile(`(?i)\b(?:deny|denies|denied|forbid|forbids|forbidden|block|blocks|prevent|prevents|prohibit|prohibits|prohibited|disallow|disallows|disallowed|reject|rejects|never|cannot|can't|must not|do not|does not|don't|doesn't|not allowed|not permitted)\b`)
	allowWords     = regexp.MustCompile(`(?i)\b(?:allow|allows|allowed|permit|permits|permitted|grant|grants|let|lets|enable|enables|can|may|authorize|authorizes|authorized)\b`)
	limitWords     = regexp.MustCompile(`(?i)\b(up to|at most|no more than|not more than|under|below|less than|over|above|more than|greater than|exceeding|at least)\s+\$?([0-9]{1,15})\b`)
	hasLetter      = regexp.MustCompile(`[A-Za-z]`)
)

// limitOperators maps a limit phrase to its Cedar comparison.
var limitOperators = map[string]string{
	"up to": "<=", "at most": "<=", "no more than": "<=", "not more than": "<=",
	"under": "<", "below": "<", "less than": "<",
	"over": ">", "above": ">", "more than": ">", "greater than": ">", "exceeding": ">",
	"at least": ">=",
}

// findingOrder is the order finding counts are reported in.
var findingOrder = []string{"VALID", "INVALID", "NOT_TRANSLATABLE", "ALLOW_ALL", "ALLOW_NONE", "DENY_ALL", "DENY_NONE"}

// splitStatements cuts natural language into the statements to translate.
func splitStatements(text string) []string {
	var out []string
	for _, part := range statementBreak.Split(text, -1) {
		part = strings.TrimSpace(part)
		if hasLetter.MatchString(part) {
			out = append(out, part)
		}
	}
	return out
}

// assetID is "asset_<n>-<10 chars>", stable for a generation and position.
func assetID(generationID string, n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", generationID, n)))
	suffix := make([]byte, 10)
	for i := range suffix {
		suffix[i] = assetAlphabet[int(sum[i])%len(assetAlphabet)]
	}
	return fmt.Sprintf("asset_%d-%s", n, suffix)
}

// generatedStatement writes the Cedar policy for one statement.
func generatedStatement(effect, resourceARN, condition string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(\n  principal,\n  action,\n  resource == AgentCore::Gateway::%q\n)", effect, resourceARN)
	if condition != "" {
		fmt.Fprintf(&b, "\nwhen {\n  %s\n}", condition)
	}
	b.WriteString(";")
	return b.String()
}

// Translate turns natural language into policy assets, one per statement
// (see the policy generations family in internal/service for the rules),
// and summarises their findings.
func Translate(generationID, resourceARN, text string) ([]Asset, string) {
	statements := splitStatements(text)
	total := len(statements)
	if len(statements) > maxGeneratedAssets {
		statements = statements[:maxGeneratedAssets]
	}
	assets := make([]Asset, 0, len(statements))
	counts := map[string]int{}
	translated := 0
	for i, st := range statements {
		asset := Asset{ID: assetID(generationID, i+1), Text: st}
		effect := ""
		switch {
		case denyWords.MatchString(st):
			effect = "forbid"
		case allowWords.MatchString(st):
			effect = "permit"
		}
		if effect == "" {
			asset.Finding = Finding{Type: "NOT_TRANSLATABLE",
				Description: "The text does not say what to allow or deny, so it was not translated into a policy."}
		} else {
			condition := ""
			if m := limitWords.FindStringSubmatch(st); m != nil {
				condition = fmt.Sprintf("context.input.amount %s %s", limitOperators[strings.ToLower(m[1])], m[2])
			}
			statement := generatedStatement(effect, resourceARN, condition)
			asset.Statement = statement
			finding := Finding{Type: "INVALID", Description: "The generated policy is not valid Cedar."}
			if pol, err := Parse(statement); err == nil {
				finding = pol.Finding()
			}
			asset.Finding = finding
			translated++
		}
		counts[asset.Finding.Type]++
		assets = append(assets, asset)
	}
	var parts []string
	for _, t := range findingOrder {
		if counts[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[t], t))
		}
	}
	summary := fmt.Sprintf("Generated %d policy assets from %d statements: %s.", translated, len(statements), strings.Join(parts, ", "))
	if total > len(statements) {
		summary += fmt.Sprintf(" Only the first %d of %d statements were translated.", len(statements), total)
	}
	return assets, summary
}
