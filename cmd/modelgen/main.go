// Command modelgen regenerates the Go code derived from the models of
// bedrock-agentcore-control (internal/model, internal/api) and
// bedrock-agentcore (internal/dpmodel, internal/dpapi), and upgrades them. The model of record is
// the repository's copy under models/ (docs/MODELS.md); the installed
// botocore is never read unless named. Run from the module root (or via go
// generate):
//
//	go run ./cmd/modelgen [-root DIR]
//	    regenerate both planes from models/ (the overlay merged into the
//	    control plane's botocore copy)
//	go run ./cmd/modelgen upgrade [-root DIR] [-botocore-version V] MODEL-DIR
//	    copy and strip a botocore model directory (a botocore package, its
//	    data directory, or a directory with bedrock-agentcore-control/2023-06-05
//	    and bedrock-agentcore/2024-02-28) into models/, drop from the overlay
//	    (models/overlay) what the new model defines, regenerate, and print
//	    what changed in each plane; V is read from botocore's __init__.py
//	    when there is one
//	go run ./cmd/modelgen diff [-service NAME] [-markdown TITLE] OLD NEW
//	    print the changes between two models of one service (each a model
//	    directory as above, a service directory such as
//	    models/bedrock-agentcore/2024-02-28, or a service-2.json[.gz] file);
//	    NAME is bedrock-agentcore-control (default) or bedrock-agentcore,
//	    taken from the path when it names a service directory
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
	// The first import has nothing to compare with: everything is new.
	olds := map[string][]byte{}
	for _, plane := range modelgen.Planes {
		old, err := os.ReadFile(filepath.Join(*root, filepath.FromSlash(plane.ModelPath())))
		if errors.Is(err, os.ErrNotExist) {
			old = []byte("{}")
		} else if err != nil {
			fail(err)
		}
		olds[plane.Name] = old
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
	for _, plane := range modelgen.Planes {
		now, err := os.ReadFile(filepath.Join(*root, filepath.FromSlash(plane.ModelPath())))
		if err != nil {
			fail(err)
		}
		cs, err := modelgen.DiffModels(olds[plane.Name], now)
		if err != nil {
			fail(err)
		}
		fmt.Printf("\n%s: botocore %s → %s\n", plane.Dir(), oldProv.Botocore, *version)
		modelgen.WriteSummary(os.Stdout, cs)
		fmt.Println()
		for _, c := range cs {
			fmt.Println(c)
		}
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
	service := fs.String("service", "", "the service of model directories: "+modelgen.Control.Name+" (default) or "+modelgen.Data.Name)
	_ = fs.Parse(args)
	if fs.NArg() != 2 {
		fail(errors.New("usage: modelgen diff [-service NAME] [-markdown TITLE] OLD NEW"))
	}
	plane := modelgen.ControlPlane
	if *service != "" {
		p, ok := modelgen.PlaneOf(*service)
		if !ok {
			fail(fmt.Errorf("unknown service %q", *service))
		}
		plane = p
	}
	old, err := readModel(fs.Arg(0), plane, *service != "")
	if err != nil {
		fail(err)
	}
	now, err := readModel(fs.Arg(1), plane, *service != "")
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

// readModel reads a service-2.json[.gz] file, a service directory
// (<name>/<api version>: its service-2 file; unless explicit, its name picks
// the plane) or the plane's model in a model directory.
func readModel(path string, plane modelgen.Plane, explicit bool) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		b, _, err := modelgen.ReadModelFile(strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".json"))
		return b, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if p, ok := modelgen.PlaneOf(filepath.Base(filepath.Dir(abs))); ok && (!explicit || p.Name == plane.Name) {
		b, _, err := modelgen.ReadModelFile(filepath.Join(abs, "service-2"))
		return b, err
	}
	data, err := modelgen.DataDir(path)
	if err != nil {
		return nil, err
	}
	b, _, err := modelgen.ReadModelFile(filepath.Join(data, plane.Name, plane.APIVersion, "service-2"))
	return b, err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modelgen:", err)
	os.Exit(1)
}
