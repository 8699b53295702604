// Command modelgen regenerates the Go code derived from the botocore model of
// bedrock-agentcore-control. Run from the module root (or via go generate):
//
//	go run ./cmd/modelgen [-botocore DIR]
//
// Without -botocore it asks the installed python3 where botocore lives.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"agentcored/internal/modelgen"
)

func main() {
	dir := flag.String("botocore", "", "botocore package directory (default: ask python3)")
	root := flag.String("root", ".", "module root to write into")
	flag.Parse()
	if *dir == "" {
		d, err := modelgen.FindBotocore()
		if err != nil {
			fail(err)
		}
		*dir = d
	}
	files, err := modelgen.GenerateFromBotocore(*dir)
	if err != nil {
		fail(err)
	}
	for name, content := range files {
		path := filepath.Join(*root, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			fail(err)
		}
		fmt.Println("wrote", path)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modelgen:", err)
	os.Exit(1)
}
