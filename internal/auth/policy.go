package auth

// Policy is an IAM-style identity policy attached to an access key.
type Policy struct {
	Statement []Statement `json:"Statement" yaml:"Statement"`
}

// Statement allows or denies actions on resources.
type Statement struct {
	Effect   string   `json:"Effect" yaml:"Effect"`
	Action   []string `json:"Action" yaml:"Action"`
	Resource []string `json:"Resource" yaml:"Resource"`
}
