// Package vault seals the secret members of a credential provider's
// configuration (the API key, OAuth2 client secrets, payment provider keys:
// every sensitive string member of a structure, as the model marks it) so
// that they never reach the store in clear, and opens them again for the
// data plane. The service's credential-provider families decide the rules
// of their own configs; this package knows the secret forms every one shares
// (see service/credential_providers.go for the decisions on secret sources).
package vault

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/model"
	"agentcored/internal/secrets"
)

// Secret is one secret member of a provider as stored.
type Secret struct {
	SecretArn string `json:"secretArn"`
	// Sealed is base64 of secrets.Box.Seal; empty when the member was not
	// given (an OAuth2 client without a secret still has its ARN) or the
	// secret is the customer's.
	Sealed string `json:"sealed,omitempty"`
	// Source is EXTERNAL for the customer's own secret, read through
	// SecretId and JsonKey as given; empty (records written before sources
	// existed) or MANAGED for ours.
	Source   api.SecretSourceType `json:"source,omitempty"`
	SecretId string               `json:"secretId,omitempty"`
	JsonKey  string               `json:"jsonKey,omitempty"`
}

// External reports whether the secret is the customer's own.
func (sec Secret) External() bool { return sec.Source == api.SecretSourceTypeExternal }

// Reported is what answers report as the secret's source.
func (sec Secret) Reported() api.SecretSourceType {
	return cmp.Or(sec.Source, api.SecretSourceTypeManaged)
}

// Naming is how a kind of provider names its secrets:
// ...:secret:bedrock-agentcore-identity!default/<Dir>/<provider>[/<member>]-<6>.
type Naming struct {
	Dir       string
	PerMember bool // several secrets per provider: one name each
}

// Sealer collects the sealed secrets and the config of one create or
// update of a provider. ARNs of members the provider already had are kept,
// as Secrets Manager keeps a secret's ARN across new versions of its value.
type Sealer struct {
	Box             *secrets.Box
	Account, Region string
	Naming          Naming
	// Provider and ProviderARN name the provider; a sealed value is bound
	// to its ARN.
	Provider, ProviderARN string
	// NewSuffix makes the 6 random characters that end a new secret's name.
	NewSuffix func() string
	Old       map[string]Secret // the provider's secrets before this change
	Next      map[string]Secret // the secrets given this time
	// Config is the sanitized config, when the kind has one, and Vendor
	// its vendor (SealConfig sets both).
	Config map[string]any
	Vendor string
	// Optional names the secrets that may be given neither in clear nor as
	// a reference; every other one must be given one way.
	Optional map[string]bool
}

// associatedData binds a sealed value to its provider and member, so that a
// ciphertext copied into another row or member does not open.
func associatedData(providerARN, member string) []byte {
	return []byte(providerARN + "\x00" + member)
}

// Seal stores plaintext under member and returns the secret's ARN; an empty
// plaintext only reserves the ARN.
func (z *Sealer) Seal(member, plaintext string) (string, error) {
	var arn string
	if old := z.Old[member]; !old.External() { // the customer's ARN is not ours to reuse
		arn = old.SecretArn
	}
	if arn == "" {
		folder := z.Naming.Dir + "/" + z.Provider
		if z.Naming.PerMember {
			folder += "/" + member
		}
		arn = "arn:aws:secretsmanager:" + z.Region + ":" + z.Account +
			":secret:bedrock-agentcore-identity!default/" + folder + "-" + z.NewSuffix()
	}
	sec := Secret{SecretArn: arn}
	if plaintext != "" {
		sealed, err := z.Box.Seal([]byte(plaintext), associatedData(z.ProviderARN, member))
		if err != nil {
			return "", awserr.Errorf("EncryptionFailure", "The secret could not be encrypted.")
		}
		sec.Sealed = base64.StdEncoding.EncodeToString(sealed)
	}
	z.Next[member] = sec
	return arn, nil
}

// SealConfig seals the secrets of in, the vendor configuration union that
// is the input member of operation (a kind's Create; its Update takes the
// same shape), and keeps it as the provider's config with its vendor. The
// union's member set must be the one want names.
func (z *Sealer) SealConfig(operation, member, vendor, want string, in any) error {
	doc, err := z.sanitize(InputMemberShape(operation, member), in, member+".")
	if err != nil {
		return err
	}
	if got := unionMember(doc); got != want {
		return awserr.Validation("credentialProviderVendor '%s' requires %s.%s, got %s.", vendor, member, want, got)
	}
	z.Vendor, z.Config = vendor, doc
	return nil
}

// VendorConfig is the sealed config's one union member, nil when none.
func (z *Sealer) VendorConfig() map[string]any {
	cfg, _ := z.Config[unionMember(z.Config)].(map[string]any)
	return cfg
}

// sanitize returns the JSON of v, a request member of the given model shape,
// with every sensitive string member sealed and replaced by
// "<member>Arn": {"secretArn": ...}. It follows the model, so
// every member of every union is handled alike. path prefixes member names in
// errors.
func (z *Sealer) sanitize(shape int, v any, path string) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, z.walk(shape, doc, path)
}

func (z *Sealer) walk(shape int, node any, path string) error {
	sh := &model.Shapes[shape]
	switch sh.Type {
	case model.Structure:
		obj, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		for _, m := range sh.Members {
			ms := &model.Shapes[m.Shape]
			if ms.Sensitive && ms.Type == model.String && hasMember(sh, m.Name+"Config") {
				if err := z.SecretPair(obj, m.Name, m.Name, path); err != nil {
					return err
				}
				continue
			}
			if ms.Sensitive && ms.Type == model.String { // a secret with no reference form: in clear or not at all
				if text, present := obj[m.Name].(string); present {
					arn, err := z.Seal(m.Name, text)
					if err != nil {
						return err
					}
					delete(obj, m.Name)
					obj[m.Name+"Arn"] = map[string]any{"secretArn": arn}
				}
				continue
			}
			if val, present := obj[m.Name]; present {
				if err := z.walk(m.Shape, val, path+m.Name+"."); err != nil {
					return err
				}
			}
		}
	case model.List:
		items, _ := node.([]any)
		for _, it := range items {
			if err := z.walk(sh.Member, it, path); err != nil {
				return err
			}
		}
	case model.Map:
		entries, _ := node.(map[string]any)
		for _, it := range entries {
			if err := z.walk(sh.Value, it, path); err != nil {
				return err
			}
		}
	}
	return nil
}

// SecretPair resolves the secret member of obj, given in clear (member),
// as a reference to the customer's secret (prefix+"Config"), or neither,
// as prefix+"Source" allows, and replaces them with what answers report:
// prefix+"Arn", prefix+"Source" and, for the customer's secret,
// prefix+"JsonKey". The prefix is the member's name but for the API key
// ("apiKeySecret").
func (z *Sealer) SecretPair(obj map[string]any, member, prefix, path string) error {
	cfgName, srcName := prefix+"Config", prefix+"Source"
	q := func(m string) string { return "'" + path + m + "'" }
	text, inClear := obj[member].(string)
	ref, isRef := obj[cfgName].(map[string]any)
	source, _ := obj[srcName].(string)
	switch {
	case inClear && isRef:
		return awserr.Validation("1 validation error detected: only one of %s and %s may be given.", q(member), q(cfgName))
	case source == string(api.SecretSourceTypeExternal) && !isRef:
		return awserr.Validation("1 validation error detected: %s is required when %s is EXTERNAL.", q(cfgName), q(srcName))
	case source == string(api.SecretSourceTypeManaged) && isRef:
		return awserr.Validation("1 validation error detected: %s cannot be given when %s is MANAGED.", q(cfgName), q(srcName))
	case !inClear && !isRef && !z.Optional[member]:
		return awserr.Validation("1 validation error detected: Value null at %s failed to satisfy constraint: either %s or %s is required.", q(member), q(member), q(cfgName))
	case !inClear && !isRef:
		delete(obj, srcName)
		return nil
	}
	delete(obj, member)
	delete(obj, cfgName)
	if !isRef {
		arn, err := z.Seal(member, text)
		if err != nil {
			return err
		}
		obj[prefix+"Arn"], obj[srcName] = map[string]any{"secretArn": arn}, string(api.SecretSourceTypeManaged)
		return nil
	}
	secretID, _ := ref["secretId"].(string)
	jsonKey, _ := ref["jsonKey"].(string)
	arn, err := z.customerSecretARN(secretID, q(cfgName+".secretId"))
	if err != nil {
		return err
	}
	z.Next[member] = Secret{SecretArn: arn, Source: api.SecretSourceTypeExternal, SecretId: secretID, JsonKey: jsonKey}
	obj[prefix+"Arn"], obj[srcName], obj[prefix+"JsonKey"] = map[string]any{"secretArn": arn}, string(api.SecretSourceTypeExternal), jsonKey
	return nil
}

var (
	secretARNRe  = regexp.MustCompile(`^arn:(aws|aws-us-gov):secretsmanager:([A-Za-z0-9-]{1,64}):[0-9]{12}:secret:[a-zA-Z0-9-_/+=.@!]+$`)
	secretNameRe = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@!-]+$`)
)

// customerSecretARN is the ARN answers report for the customer's secret
// secretID (an ARN or a name), which member names in errors.
func (z *Sealer) customerSecretARN(secretID, member string) (string, error) {
	if strings.HasPrefix(secretID, "arn:") {
		m := secretARNRe.FindStringSubmatch(secretID)
		if m == nil {
			return "", awserr.Validation("1 validation error detected: Value at %s failed to satisfy constraint: Member must be an AWS Secrets Manager secret ARN or name.", member)
		}
		if m[2] != z.Region {
			return "", awserr.Validation("1 validation error detected: Value at %s failed to satisfy constraint: the secret must be in the Region of the credential provider (%s).", member, z.Region)
		}
		return secretID, nil
	}
	if !secretNameRe.MatchString(secretID) {
		return "", awserr.Validation("1 validation error detected: Value at %s failed to satisfy constraint: Member must be an AWS Secrets Manager secret ARN or name.", member)
	}
	return "arn:aws:secretsmanager:" + z.Region + ":" + z.Account + ":secret:" + secretID, nil
}

func hasMember(sh *model.Shape, name string) bool {
	for _, m := range sh.Members {
		if m.Name == name {
			return true
		}
	}
	return false
}

// InputMemberShape is the model shape of one member of an operation's input.
func InputMemberShape(operation, member string) int {
	op := model.OperationByName(operation)
	for _, m := range model.Shapes[op.Input].Members {
		if m.Name == member {
			return m.Shape
		}
	}
	panic(fmt.Sprintf("model: %s has no input member %s", operation, member))
}

// unionMember returns the one member name set in a union's JSON.
func unionMember(doc map[string]any) string {
	for k := range doc {
		return k
	}
	return ""
}

// DecodeConfig decodes a provider's stored config into the model's output
// union (a pointer to its pointer member). A secret stored before sources
// existed ("<member>Arn" alone) reads as MANAGED.
func DecodeConfig(config json.RawMessage, union any) error {
	var doc map[string]map[string]any
	if err := json.Unmarshal(config, &doc); err != nil {
		return err
	}
	for _, cfg := range doc {
		for k, v := range cfg {
			member, isSecret := strings.CutSuffix(k, "Arn")
			if _, hasSource := cfg[member+"Source"]; isSecret && !hasSource {
				if ref, ok := v.(map[string]any); ok && ref["secretArn"] != nil {
					cfg[member+"Source"] = string(api.SecretSourceTypeManaged)
				}
			}
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, union)
}

// ErrNoSecret: the provider keeps no value of its own for the member (none
// was given, or the secret is the customer's).
var ErrNoSecret = errors.New("no secret value is kept")

// Open returns the clear value of the provider's secret member.
func Open(box *secrets.Box, providerARN, member string, sec Secret, ok bool) (string, error) {
	if sec.External() {
		return "", fmt.Errorf("%s is read from the customer's secret %s: %w", member, sec.SecretArn, ErrNoSecret)
	}
	if !ok || sec.Sealed == "" {
		return "", fmt.Errorf("%s: %w", member, ErrNoSecret)
	}
	sealed, err := base64.StdEncoding.DecodeString(sec.Sealed)
	var plain []byte
	if err == nil {
		plain, err = box.Open(sealed, associatedData(providerARN, member))
	}
	if err != nil {
		return "", awserr.Errorf("DecryptionFailure", "The secret could not be decrypted.")
	}
	return string(plain), nil
}
