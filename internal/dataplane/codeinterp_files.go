package dataplane

// The file tools of a code interpreter session (readFiles, writeFiles,
// listFiles, removeFiles) work in the session's working directory: a
// relative path is relative to it, an absolute path must lie inside it.

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"agentcored/internal/dpapi"
)

// resolve maps a tool's path to a path inside the working directory.
func (cs *ciSession) resolve(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("a path is empty")
	}
	full := p
	if !filepath.IsAbs(p) {
		full = filepath.Join(cs.work, p)
	}
	full = filepath.Clean(full)
	if full != cs.work && !strings.HasPrefix(full, cs.work+string(filepath.Separator)) {
		return "", fmt.Errorf("path %q is outside the session's working directory %s", p, cs.work)
	}
	return full, nil
}

func fileURI(path string) string { return "file://" + path }

// mimeOf guesses a file's type from its name, else from its first bytes.
func mimeOf(path string, data []byte) string {
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// writeFiles writes each block's text (or blob) to its path, making the
// directories it needs.
func (cs *ciSession) writeFiles(blocks []dpapi.InputContentBlock) (*dpapi.CodeInterpreterResult, error) {
	if len(blocks) == 0 {
		return nil, fmt.Errorf("arguments.content must list the files to write")
	}
	for _, b := range blocks {
		path, err := cs.resolve(b.Path)
		if err != nil {
			return nil, err
		}
		data := []byte(b.Text)
		if len(b.Blob) > 0 {
			data = b.Blob
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return textResult(fmt.Sprintf("Successfully wrote all %d files", len(blocks)), false), nil
}

// readFiles answers each file as a resource block: text when it is UTF-8,
// else a blob.
func (cs *ciSession) readFiles(paths []string) (*dpapi.CodeInterpreterResult, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("arguments.paths must list the files to read")
	}
	res := &dpapi.CodeInterpreterResult{}
	for _, p := range paths {
		path, err := cs.resolve(p)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", p, errorText(err))
		}
		rc := &dpapi.ResourceContent{Uri: fileURI(path), MimeType: mimeOf(path, data)}
		if utf8.Valid(data) {
			rc.Type, rc.Text = dpapi.ResourceContentTypeText, string(data)
		} else {
			rc.Type, rc.Blob = dpapi.ResourceContentTypeBlob, data
		}
		res.Content = append(res.Content, dpapi.ContentBlock{Type: dpapi.ContentBlockTypeResource, Resource: rc})
	}
	res.IsError = boolPtr(false)
	return res, nil
}

// listFiles answers the entries of a directory (default: the working
// directory) as resource links.
func (cs *ciSession) listFiles(dir string) (*dpapi.CodeInterpreterResult, error) {
	if dir == "" {
		dir = "."
	}
	path, err := cs.resolve(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %v", dir, errorText(err))
	}
	res := &dpapi.CodeInterpreterResult{Content: []dpapi.ContentBlock{}, IsError: boolPtr(false)}
	for _, e := range entries {
		full := filepath.Join(path, e.Name())
		b := dpapi.ContentBlock{Type: dpapi.ContentBlockTypeResourceLink, Name: e.Name(), Uri: fileURI(full), Description: "File"}
		if e.IsDir() {
			b.Description = "Directory"
		} else if info, err := e.Info(); err == nil {
			size := info.Size()
			b.Size = &size
			b.MimeType = mime.TypeByExtension(filepath.Ext(e.Name()))
		}
		res.Content = append(res.Content, b)
	}
	return res, nil
}

// removeFiles removes each path (a directory with what it holds).
func (cs *ciSession) removeFiles(paths []string) (*dpapi.CodeInterpreterResult, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("arguments.paths must list the files to remove")
	}
	for _, p := range paths {
		path, err := cs.resolve(p)
		if err != nil {
			return nil, err
		}
		if path == cs.work {
			return nil, fmt.Errorf("the session's working directory itself cannot be removed")
		}
		if _, err := os.Lstat(path); err != nil {
			return nil, fmt.Errorf("removing %s: %v", p, errorText(err))
		}
		if err := os.RemoveAll(path); err != nil {
			return nil, err
		}
	}
	return textResult(fmt.Sprintf("Successfully removed all %d files", len(paths)), false), nil
}

// errorText is an error without the host's path in it.
func errorText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func boolPtr(b bool) *bool { return &b }

// textResult is a result of one text block.
func textResult(text string, isError bool) *dpapi.CodeInterpreterResult {
	return &dpapi.CodeInterpreterResult{Content: []dpapi.ContentBlock{{Type: dpapi.ContentBlockTypeText, Text: text}}, IsError: boolPtr(isError)}
}
