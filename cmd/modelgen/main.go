// Command modelgen regenerates the Go code derived from the model of
// bedrock-agentcore-control, and upgrades that model. The model of record is
// the repository's copy under models/ (docs/MODELS.md); the installed
// botocore is never read unless named. Run from the module root (or via go
// generate):
//
//	go run ./cmd/modelgen [-root DIR]
//	    regenerate internal/model and internal/api from models/ (the overlay
//	    merged into the botocore copy)
//	go run ./cmd/modelgen upgrade [-root DIR] [-botocore-version V] MODEL-DIR
//	    copy and strip a botocore model directory (a botocore package, its
//	    data directory, or a directory with bedrock-agentcore-control/2023-06-05
//	    and bedrock-agentcore/2024-02-28) into models/, drop from the overlay
//	    (models/overlay) what the new model defines, regenerate, and print
//	    what changed; V is read from botocore's __init__.py when there is one
//	go run ./cmd/modelgen diff [-markdown TITLE] OLD NEW
//	    print the changes between two control-plane models (each a model
//	    directory as above or a service-2.json[.gz] file)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"agentcored/internal/modelgen"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "upgrade":
			upgrade(os.Args[2:])
			return
		case "diff":
			diff(os.Args[2:])
			return
		}
	}
	fs := flag.NewFlagSet("modelgen", flag.ExitOnError)
	root := fs.String("root", ".", "module root (holds models/ and the generated files)")
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fail(fmt.Errorf("unknown arguments %v (commands: upgrade, diff)", fs.Args()))
	}
	generate(*root)
}

func generate(root string) {
	files, err := modelgen.GenerateFromRepo(root)
	if err != nil {
		fail(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(root, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			fail(err)
		}
		fmt.Println("wrote", path)
	}
}

func upgrade(args []string) {
	fs := flag.NewFlagSet("modelgen upgrade", flag.ExitOnError)
	root := fs.String("root", ".", "module root")
	version := fs.String("botocore-version", "", "botocore release of MODEL-DIR (default: from its botocore/__init__.py)")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fail(errors.New("usage: modelgen upgrade [-root DIR] [-botocore-version V] MODEL-DIR"))
	}
	src := fs.Arg(0)
	if *version == "" {
		v, ok := modelgen.DetectBotocoreVersion(src)
		if !ok {
			fail(fmt.Errorf("no botocore/__init__.py at or above %s: pass -botocore-version", src))
		}
		*version = v
	}
	modelsDir := filepath.Join(*root, modelgen.ModelsDir)
	oldPath := filepath.Join(*root, filepath.FromSlash(modelgen.ControlModelPath))
	// The first import has nothing to compare with: everything is new.
	old, err := os.ReadFile(oldPath)
	if errors.Is(err, os.ErrNotExist) {
		old = []byte("{}")
	} else if err != nil {
		fail(err)
	}
	oldProv, err := modelgen.ReadProvenance(modelsDir)
	if errors.Is(err, os.ErrNotExist) {
		oldProv.Botocore = "(none)"
	} else if err != nil {
		fail(err)
	}
	p, err := modelgen.Import(src, modelsDir, *version)
	if err != nil {
		fail(err)
	}
	for _, f := range p.Files {
		fmt.Printf("copied %s (source sha256 %s)\n", filepath.Join(modelsDir, f.Path), f.SourceSHA256)
	}
	// The overlay is a stopgap: what the new model defines leaves it.
	dropped, gone, err := modelgen.DropFromRepo(*root)
	if err != nil {
		fail(err)
	}
	reportDrop(dropped, gone)
	generate(*root)
	now, err := os.ReadFile(oldPath)
	if err != nil {
		fail(err)
	}
	cs, err := modelgen.DiffModels(old, now)
	if err != nil {
		fail(err)
	}
	fmt.Printf("\n%s: botocore %s → %s\n", modelgen.Control.Dir(), oldProv.Botocore, *version)
	modelgen.WriteSummary(os.Stdout, cs)
	fmt.Println()
	for _, c := range cs {
		fmt.Println(c)
	}
	fmt.Println("\nnext: go test ./internal/... (docs/MODELS.md)")
}

// reportDrop says what the upgrade removed from the overlay.
func reportDrop(r modelgen.DropReport, gone bool) {
	overlay := modelgen.ControlOverlayPath
	for _, op := range r.Operations {
		fmt.Printf("overlay: dropped operation %s (the new model defines it)\n", op)
	}
	for _, sh := range r.Shapes {
		fmt.Printf("overlay: dropped shape %s (the new model defines it)\n", sh)
	}
	for _, sh := range r.Unused {
		fmt.Printf("overlay: dropped shape %s (no overlay operation uses it)\n", sh)
	}
	for _, m := range r.Optional {
		fmt.Printf("overlay: dropped optional %s (the new model has it optional)\n", m)
	}
	switch {
	case gone:
		fmt.Printf("overlay: removed %s (every operation is in the model now, every relaxed member optional)\n", overlay)
	case r.Empty():
		fmt.Printf("overlay: %s unchanged\n", overlay)
	}
}

func diff(args []string) {
	fs := flag.NewFlagSet("modelgen diff", flag.ExitOnError)
	title := fs.String("markdown", "", "write a Markdown report with this title instead of plain lines")
	_ = fs.Parse(args)
	if fs.NArg() != 2 {
		fail(errors.New("usage: modelgen diff [-markdown TITLE] OLD NEW"))
	}
	old, err := readControlModel(fs.Arg(0))
	if err != nil {
		fail(err)
	}
	now, err := readControlModel(fs.Arg(1))
	if err != nil {
		fail(err)
	}
	cs, err := modelgen.DiffModels(old, now)
	if err != nil {
		fail(err)
	}
	if *title != "" {
		var b bytes.Buffer
		modelgen.WriteMarkdown(&b, *title, cs)
		os.Stdout.Write(b.Bytes())
		return
	}
	modelgen.WriteSummary(os.Stdout, cs)
	fmt.Println()
	for _, c := range cs {
		fmt.Println(c)
	}
}

// readControlModel reads a service-2.json[.gz] file or the control-plane
// model of a model directory.
func readControlModel(path string) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		b, _, err := modelgen.ReadModelFile(strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".json"))
		return b, err
	}
	data, err := modelgen.DataDir(path)
	if err != nil {
		return nil, err
	}
	b, _, err := modelgen.ReadModelFile(filepath.Join(data, modelgen.Control.Name, modelgen.Control.APIVersion, "service-2"))
	return b, err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modelgen:", err)
	os.Exit(1)
}
