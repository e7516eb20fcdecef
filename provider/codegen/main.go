// Command codegen writes the msads SDKs for Python and TypeScript from the package schema, with Pulumi's own
// code generators (pkg/v3/codegen/python and codegen/nodejs, the ones `pulumi package gen-sdk` runs inside
// the language hosts). It is called here directly because the language hosts this repository can build
// predate GeneratePackage; scripts/gen-sdk builds and runs it.
//
//	codegen <schema.json> <out dir>   writes <out dir>/python and <out dir>/nodejs, replacing what was there
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-msads codegen"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: codegen <schema.json> <out dir>")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "codegen: %v\n", err)
		os.Exit(1)
	}
}

func generate(schemaPath, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The schema refers to no other package, so a loader with no entries and nothing behind it is enough.
	loader := schema.NewCachedLoaderWithEntries(nil, nil)
	languages := map[string]schema.Language{"python": python.Importer, "nodejs": nodejs.Importer}
	pkg, err := schema.ImportSpec(spec, languages, loader, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("%s does not bind: %w", schemaPath, err)
	}
	pythonFiles, err := python.GeneratePackage(tool, pkg, nil, loader)
	if err != nil {
		return fmt.Errorf("python SDK: %w", err)
	}
	nodeFiles, err := nodejs.GeneratePackage(tool, pkg, nil, nil, false, loader)
	if err != nil {
		return fmt.Errorf("nodejs SDK: %w", err)
	}
	if err := write(filepath.Join(out, "python"), pythonFiles); err != nil {
		return err
	}
	return write(filepath.Join(out, "nodejs"), nodeFiles)
}

// write replaces dir with exactly the generated files, so a file the generator stopped writing goes too.
func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
