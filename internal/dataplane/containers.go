package dataplane

import (
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// containerTools are the programs that can run a binding's image, in the
// order tried.
var containerTools = []string{"podman", "docker"}

// containerPort is where the HTTP protocol contract has the agent listen.
const containerPort = 8080

// containerSpec is the command that runs image with podman or docker,
// publishing the agent's port 8080 on a loopback port and passing env.
// The error says that neither tool is installed.
func containerSpec(image string, env map[string]string, port int) (processSpec, string, error) {
	tool := ""
	for _, name := range containerTools {
		if p, err := exec.LookPath(name); err == nil {
			tool = p
			break
		}
	}
	if tool == "" {
		return processSpec{}, "", fmt.Errorf("run: container needs podman or docker on agentcored's PATH and neither is installed; " +
			"install one, or bind the image to a url or a command instead")
	}
	argv := []string{tool, "run", "--rm", "-p", "127.0.0.1:" + strconv.Itoa(port) + ":" + strconv.Itoa(containerPort)}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		argv = append(argv, "-e", k+"="+env[k])
	}
	argv = append(argv, image)
	return processSpec{argv: argv, port: port}, tool, nil
}

// explainContainerFailure turns a container that would not run into a
// message that says why, naming the sandbox when it refused.
func explainContainerFailure(tool, image string, err error) error {
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "setrlimit") || strings.Contains(lower, "operation not permitted"):
		return fmt.Errorf("this machine's sandbox refused to run containers (%s could not start image %s: the OCI runtime was "+
			"denied a privileged operation); bind the image to a url or a command instead. Details: %s", tool, image, msg)
	case strings.Contains(lower, "cannot connect to the docker daemon") || strings.Contains(lower, "is the docker daemon running"):
		return fmt.Errorf("%s could not reach its daemon to run image %s; start it, or bind the image to a url or a command. Details: %s",
			tool, image, msg)
	}
	return fmt.Errorf("%s could not run image %s: %s", tool, image, msg)
}
