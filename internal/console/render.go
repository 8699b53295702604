package console

import (
	"html/template"
	"slices"
	"strings"
)

var funcs = template.FuncMap{
	"fields":      renderFields,
	"statusClass": statusClass,
	"lower":       strings.ToLower,
}

// renderFields renders a JSON value as nested definition lists. Every
// string goes through HTMLEscapeString, so the result is safe HTML.
func renderFields(v any) template.HTML {
	var b strings.Builder
	writeValue(&b, v)
	return template.HTML(b.String())
}

func writeValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("<span class=\"empty\">{}</span>")
			return
		}
		b.WriteString("<dl>")
		for _, k := range slices.Sorted(mapKeys(x)) {
			b.WriteString("<dt>" + template.HTMLEscapeString(k) + "</dt><dd>")
			writeValue(b, x[k])
			b.WriteString("</dd>")
		}
		b.WriteString("</dl>")
	case []any:
		if len(x) == 0 {
			b.WriteString("<span class=\"empty\">[]</span>")
			return
		}
		b.WriteString("<ol>")
		for _, e := range x {
			b.WriteString("<li>")
			writeValue(b, e)
			b.WriteString("</li>")
		}
		b.WriteString("</ol>")
	default:
		b.WriteString(template.HTMLEscapeString(str(x)))
	}
}

// statusClass is the CSS class that colours a status.
func statusClass(s string) string {
	switch {
	case strings.HasSuffix(s, "FAILED"):
		return "status failed"
	case strings.HasSuffix(s, "ING"):
		return "status busy"
	case s == "":
		return "status"
	}
	return "status ok"
}
