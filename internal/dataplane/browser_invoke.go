package dataplane

// InvokeBrowser: one action of the model's BrowserAction union on the
// session's first page, through CDP Input and Page commands. A failed
// action is an answer with status FAILED and the CDP error, as the model's
// results carry it; only a request that names no (or several) actions, or a
// session that is not live, is an API error.

import (
	"context"
	"encoding/base64"
	"strings"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
)

func (s *Service) InvokeBrowser(ctx context.Context, in *dpapi.InvokeBrowserRequest) (*dpapi.InvokeBrowserResponse, error) {
	a := in.Action
	if a == nil || countSet(a.MouseClick != nil, a.MouseMove != nil, a.MouseDrag != nil, a.MouseScroll != nil,
		a.KeyType != nil, a.KeyPress != nil, a.KeyShortcut != nil, a.Screenshot != nil) != 1 {
		return nil, awserr.Validation("1 validation error detected: Value at 'action' failed to satisfy constraint: exactly one action must be set")
	}
	live, err := s.liveSession(ctx, in.BrowserIdentifier, in.SessionId)
	if err != nil {
		return nil, err
	}
	res := runAction(ctx, live.proc.devtool, a)
	return &dpapi.InvokeBrowserResponse{Result: res, SessionId: live.rec.SessionId}, nil
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// actionStatus is SUCCESS or FAILED with the error's text.
func actionStatus(err error) (dpapi.BrowserActionStatus, string) {
	if err != nil {
		return dpapi.BrowserActionStatusFailed, err.Error()
	}
	return dpapi.BrowserActionStatusSuccess, ""
}

// runAction performs the action and reports it in the matching result.
func runAction(ctx context.Context, devtool string, a *dpapi.BrowserAction) *dpapi.BrowserActionResult {
	ctx, cancel := context.WithTimeout(ctx, cdpCallTimeout)
	defer cancel()
	var shot []byte
	err := func() error {
		c, err := dialCDP(ctx, devtool)
		if err != nil {
			return err
		}
		defer c.close()
		page, err := c.attachPage(ctx)
		if err != nil {
			return err
		}
		p := pageInput{c: c, session: page}
		switch {
		case a.MouseClick != nil:
			m := a.MouseClick
			return p.click(ctx, val(m.X), val(m.Y), mouseButton(m.Button), int64OrOne(m.ClickCount))
		case a.MouseMove != nil:
			return p.mouse(ctx, "mouseMoved", val(a.MouseMove.X), val(a.MouseMove.Y), "none", 0)
		case a.MouseDrag != nil:
			m := a.MouseDrag
			b := mouseButton(m.Button)
			if err := p.mouse(ctx, "mousePressed", val(m.StartX), val(m.StartY), b, 1); err != nil {
				return err
			}
			if err := p.mouse(ctx, "mouseMoved", val(m.EndX), val(m.EndY), b, 0); err != nil {
				return err
			}
			return p.mouse(ctx, "mouseReleased", val(m.EndX), val(m.EndY), b, 1)
		case a.MouseScroll != nil:
			m := a.MouseScroll
			return c.call(ctx, page, "Input.dispatchMouseEvent", map[string]any{"type": "mouseWheel",
				"x": val(m.X), "y": val(m.Y), "deltaX": val(m.DeltaX), "deltaY": val(m.DeltaY)}, nil)
		case a.KeyType != nil:
			return c.call(ctx, page, "Input.insertText", map[string]any{"text": a.KeyType.Text}, nil)
		case a.KeyPress != nil:
			for range int64OrOne(a.KeyPress.Presses) {
				if err := p.key(ctx, a.KeyPress.Key, 0); err != nil {
					return err
				}
			}
			return nil
		case a.KeyShortcut != nil:
			return p.shortcut(ctx, a.KeyShortcut.Keys)
		default: // screenshot
			var out struct {
				Data string `json:"data"`
			}
			if err := c.call(ctx, page, "Page.captureScreenshot", map[string]any{"format": "png"}, &out); err != nil {
				return err
			}
			shot, err = base64.StdEncoding.DecodeString(out.Data)
			return err
		}
	}()
	st, msg := actionStatus(err)
	r := &dpapi.BrowserActionResult{}
	switch {
	case a.MouseClick != nil:
		r.MouseClick = &dpapi.MouseClickResult{Status: st, Error: msg}
	case a.MouseMove != nil:
		r.MouseMove = &dpapi.MouseMoveResult{Status: st, Error: msg}
	case a.MouseDrag != nil:
		r.MouseDrag = &dpapi.MouseDragResult{Status: st, Error: msg}
	case a.MouseScroll != nil:
		r.MouseScroll = &dpapi.MouseScrollResult{Status: st, Error: msg}
	case a.KeyType != nil:
		r.KeyType = &dpapi.KeyTypeResult{Status: st, Error: msg}
	case a.KeyPress != nil:
		r.KeyPress = &dpapi.KeyPressResult{Status: st, Error: msg}
	case a.KeyShortcut != nil:
		r.KeyShortcut = &dpapi.KeyShortcutResult{Status: st, Error: msg}
	default:
		r.Screenshot = &dpapi.ScreenshotResult{Status: st, Error: msg, Data: shot}
	}
	return r
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func int64OrOne(p *int64) int64 {
	if p == nil || *p < 1 {
		return 1
	}
	return *p
}

func mouseButton(b dpapi.MouseButton) string {
	switch b {
	case dpapi.MouseButtonRight:
		return "right"
	case dpapi.MouseButtonMiddle:
		return "middle"
	}
	return "left"
}

// pageInput sends input events to one attached page.
type pageInput struct {
	c       *cdpConn
	session string
}

func (p pageInput) mouse(ctx context.Context, typ string, x, y int64, button string, clicks int64) error {
	params := map[string]any{"type": typ, "x": x, "y": y, "button": button}
	if clicks > 0 {
		params["clickCount"] = clicks
	}
	return p.c.call(ctx, p.session, "Input.dispatchMouseEvent", params, nil)
}

func (p pageInput) click(ctx context.Context, x, y int64, button string, clicks int64) error {
	if err := p.mouse(ctx, "mouseMoved", x, y, "none", 0); err != nil {
		return err
	}
	if err := p.mouse(ctx, "mousePressed", x, y, button, clicks); err != nil {
		return err
	}
	return p.mouse(ctx, "mouseReleased", x, y, button, clicks)
}

// keyInfo is what CDP needs to type a named key: its code, its Windows
// virtual key code and the text it inserts.
type keyInfo struct {
	key, code string
	vk        int
	text      string
}

var namedKeys = map[string]keyInfo{
	"enter":      {"Enter", "Enter", 13, "\r"},
	"tab":        {"Tab", "Tab", 9, "\t"},
	"backspace":  {"Backspace", "Backspace", 8, ""},
	"escape":     {"Escape", "Escape", 27, ""},
	"esc":        {"Escape", "Escape", 27, ""},
	"space":      {" ", "Space", 32, " "},
	"delete":     {"Delete", "Delete", 46, ""},
	"arrowleft":  {"ArrowLeft", "ArrowLeft", 37, ""},
	"arrowup":    {"ArrowUp", "ArrowUp", 38, ""},
	"arrowright": {"ArrowRight", "ArrowRight", 39, ""},
	"arrowdown":  {"ArrowDown", "ArrowDown", 40, ""},
	"home":       {"Home", "Home", 36, ""},
	"end":        {"End", "End", 35, ""},
	"pageup":     {"PageUp", "PageUp", 33, ""},
	"pagedown":   {"PageDown", "PageDown", 34, ""},
}

// modifierBits are CDP's modifier flags by key name.
var modifierBits = map[string]int{"alt": 1, "control": 2, "ctrl": 2, "meta": 4, "cmd": 4, "command": 4, "shift": 8}

func lookupKey(name string) keyInfo {
	if k, ok := namedKeys[strings.ToLower(name)]; ok {
		return k
	}
	if len([]rune(name)) == 1 {
		up := strings.ToUpper(name)
		code := ""
		vk := 0
		if r := []rune(up)[0]; r >= 'A' && r <= 'Z' {
			code, vk = "Key"+up, int(r)
		} else if r >= '0' && r <= '9' {
			code, vk = "Digit"+up, int(r)
		}
		return keyInfo{key: name, code: code, vk: vk, text: name}
	}
	return keyInfo{key: name, code: name}
}

// key presses and releases one key with the given modifiers.
func (p pageInput) key(ctx context.Context, name string, modifiers int) error {
	k := lookupKey(name)
	down := map[string]any{"type": "keyDown", "key": k.key, "code": k.code, "windowsVirtualKeyCode": k.vk, "modifiers": modifiers}
	if k.text != "" && modifiers&^8 == 0 { // a shortcut with ctrl/alt/meta inserts no text
		down["text"] = k.text
	} else {
		down["type"] = "rawKeyDown"
	}
	if err := p.c.call(ctx, p.session, "Input.dispatchKeyEvent", down, nil); err != nil {
		return err
	}
	return p.c.call(ctx, p.session, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k.key, "code": k.code,
		"windowsVirtualKeyCode": k.vk, "modifiers": modifiers}, nil)
}

// shortcut holds the modifier keys of keys down while pressing the others.
func (p pageInput) shortcut(ctx context.Context, keys []string) error {
	mods := 0
	var rest []string
	for _, k := range keys {
		if bit, ok := modifierBits[strings.ToLower(k)]; ok {
			mods |= bit
		} else {
			rest = append(rest, k)
		}
	}
	for _, k := range rest {
		if err := p.key(ctx, k, mods); err != nil {
			return err
		}
	}
	return nil
}
