package modelgen

import (
	"errors"
	"os/exec"
	"strings"
)

// FindBotocore asks the installed python3 where botocore lives.
func FindBotocore() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", errors.New("botocore not found (python3 -c 'import botocore' failed)")
	}
	return strings.TrimSpace(string(out)), nil
}
